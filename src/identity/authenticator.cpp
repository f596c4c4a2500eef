#include "identity/authenticator.hpp"

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "identity/jwt.hpp"
#include "identity/tenants.hpp"

namespace irisx::identity {
namespace {

constexpr std::string_view kOperatorPrefix = "irisx_op_";

std::optional<std::string_view> bearer(const Credentials& c) {
  if (c.authorization) {
    std::string_view v = *c.authorization;
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
      v.remove_prefix(7);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (!v.empty()) return v;
    }
    return std::nullopt;
  }
  return c.api_key;
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::vector<std::string> parse_scopes(std::string json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

}  // namespace

bool looks_like_api_key(std::string_view token) {
  for (std::string_view prefix : {"irisx_live_", "irisx_test_"}) {
    if (token.size() == prefix.size() + 64 && token.substr(0, prefix.size()) == prefix) {
      return is_hex(token.substr(prefix.size()));
    }
  }
  return false;
}

std::string hash_secret(std::string_view secret) {
  return crypto::sha256_hex(secret);
}

Authenticator::Authenticator(store::Database& db, AuthCache& cache, std::string signing_key)
    : db_(db), cache_(cache), signing_key_(std::move(signing_key)) {}

boost::asio::awaitable<Principal> Authenticator::tenant_principal(Credentials credentials) {
  auto token = bearer(credentials);
  if (!token)
    throw unauthorized("missing credentials: send Authorization: Bearer <token> or X-API-Key");
  if (token->substr(0, 6) == "irisx_") {
    if (!looks_like_api_key(*token)) throw unauthorized("invalid API key");
    co_return co_await from_api_key(*token);
  }
  co_return co_await from_access_token(*token);
}

boost::asio::awaitable<Principal> Authenticator::from_api_key(std::string_view key) {
  const std::string hash = hash_secret(key);
  std::optional<CachedApiKey> record = co_await cache_.api_keys.get_or_load(
      hash, [&]() -> boost::asio::awaitable<std::optional<CachedApiKey>> {
        store::Result r = co_await db_.exec(
            "UPDATE api_keys SET last_used_at = $2 WHERE key_hash = $1 AND revoked_at IS NULL "
            "RETURNING id, tenant_id, scopes, key_hash",
            store::args(hash, now_ms()));
        // The hash came from an index lookup; compare in constant time all the same.
        if (r.empty() || !crypto::constant_time_equal(r.front().text(3), hash))
          co_return std::nullopt;
        co_return CachedApiKey{r.front().text(0), r.front().text(1),
                               parse_scopes(r.front().text(2))};
      });
  if (!record) throw unauthorized("invalid API key");
  co_await require_active_tenant(record->tenant_id);
  Principal p;
  p.type = ActorType::api_key;
  p.tenant_id = record->tenant_id;
  p.api_key_id = record->id;
  p.scopes = record->scopes;
  co_return p;
}

boost::asio::awaitable<Principal> Authenticator::from_access_token(std::string_view token) {
  VerifiedToken v = verify_access_token(token, signing_key_, now_ms() / 1000);
  if (v.status == TokenStatus::expired)
    throw ApiError(401, "token_expired", "the access token has expired");
  if (v.status != TokenStatus::ok) throw unauthorized("invalid access token");

  const std::string& user_id = v.claims.user_id;
  std::optional<CachedUser> user = co_await cache_.users.get_or_load(
      user_id, [&]() -> boost::asio::awaitable<std::optional<CachedUser>> {
        store::Result r = co_await db_.exec("SELECT tenant_id, role FROM users WHERE id = $1",
                                            store::args(user_id));
        if (r.empty()) co_return std::nullopt;
        auto role = parse_role(r.front().text(1));
        if (!role) co_return std::nullopt;
        co_return CachedUser{r.front().text(0), *role};
      });
  if (!user || user->tenant_id != v.claims.tenant_id) throw unauthorized("invalid access token");

  const std::string& family_id = v.claims.family_id;
  std::optional<bool> revoked = co_await cache_.revoked_sessions.get_or_load(
      family_id, [&]() -> boost::asio::awaitable<std::optional<bool>> {
        // A login session is live while its family has an unrevoked token.
        store::Result r = co_await db_.exec(
            "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL",
            store::args(family_id));
        co_return r.front().int64(0) == 0;
      });
  if (revoked.value_or(true))
    throw ApiError(401, "session_revoked", "this login session has ended; log in again");

  co_await require_active_tenant(user->tenant_id);
  Principal p;
  p.type = ActorType::user;
  p.tenant_id = user->tenant_id;
  p.user_id = v.claims.user_id;
  p.session_id = v.claims.family_id;
  p.role = user->role;
  p.scopes = role_scopes(user->role);
  co_return p;
}

boost::asio::awaitable<std::optional<Tenant>> Authenticator::tenant(std::string tenant_id) {
  co_return co_await cache_.tenants.get_or_load(
      tenant_id, [&]() -> boost::asio::awaitable<std::optional<Tenant>> {
        store::Result r = co_await db_.exec(
            std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE id = $1",
            store::args(tenant_id));
        if (r.empty()) co_return std::nullopt;
        co_return tenant_from_row(r.front());
      });
}

boost::asio::awaitable<void> Authenticator::require_active_tenant(std::string tenant_id) {
  std::optional<Tenant> t = co_await tenant(tenant_id);
  if (!t) throw unauthorized("invalid credentials");
  if (t->status != "active")
    throw forbidden("tenant_suspended", "this account is suspended; contact support");
}

boost::asio::awaitable<Principal> Authenticator::operator_principal(Credentials credentials) {
  auto token = bearer(credentials);
  if (!token)
    throw unauthorized("missing credentials: send Authorization: Bearer <operator token>");
  if (token->substr(0, kOperatorPrefix.size()) != kOperatorPrefix ||
      token->size() != kOperatorPrefix.size() + 64 ||
      !is_hex(token->substr(kOperatorPrefix.size()))) {
    throw unauthorized("invalid operator token");
  }
  // Operator traffic is light: always ask the store, so revocation is immediate everywhere.
  store::Result r = co_await db_.exec(
      "SELECT id, operator_id FROM operator_sessions WHERE token_hash = $1 AND revoked_at IS NULL "
      "AND "
      "expires_at > $2",
      store::args(hash_secret(*token), now_ms()));
  if (r.empty()) throw unauthorized("invalid or expired operator session");
  Principal p;
  p.type = ActorType::operator_;
  p.operator_id = r.front().text(1);
  p.session_id = r.front().text(0);
  co_return p;
}

}  // namespace irisx::identity
