#include "identity/api_keys.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"
#include "identity/authenticator.hpp"
#include "identity/views.hpp"

namespace irisx::identity {
namespace {

const char* const kColumns =
    "id, tenant_id, name, mode, last_four, scopes, created_by, created_at, last_used_at";

ApiKey key_from_row(const store::Row& r, std::size_t f = 0) {
  std::vector<std::string> scopes;
  auto j = nlohmann::json::parse(r.text(f + 5), nullptr, false);
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) scopes.push_back(s.get<std::string>());
    }
  }
  return {r.text(f),         r.text(f + 1),     r.text(f + 2),  r.text(f + 3),     r.text(f + 4),
          std::move(scopes), r.opt_text(f + 6), r.int64(f + 7), r.opt_int64(f + 8)};
}

}  // namespace

boost::asio::awaitable<CreatedApiKey> ApiKeyService::create(const Principal& actor, NewApiKey input,
                                                            AuditContext audit) {
  std::vector<FieldError> errors;
  if (input.name.empty() || input.name.size() > 200)
    errors.push_back({"name", "must be 1 to 200 characters"});
  if (input.mode != "live" && input.mode != "test")
    errors.push_back({"mode", "must be live or test"});
  if (input.scopes.empty()) errors.push_back({"scopes", "must list at least one scope"});
  std::sort(input.scopes.begin(), input.scopes.end());
  input.scopes.erase(std::unique(input.scopes.begin(), input.scopes.end()), input.scopes.end());
  for (const auto& scope : input.scopes) {
    if (!is_known_scope(scope)) {
      errors.push_back({"scopes", "unknown scope " + scope});
    } else if (!actor.has_scope(scope)) {
      errors.push_back({"scopes", "you do not hold the scope " + scope});
    }
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));

  CreatedApiKey out;
  out.secret = "irisx_" + input.mode + "_" + crypto::random_hex(32);
  const std::int64_t now = now_ms();
  out.key = ApiKey{new_id("AK"),
                   actor.tenant_id,
                   input.name,
                   input.mode,
                   out.secret.substr(out.secret.size() - 4),
                   input.scopes,
                   actor.actor_id(),
                   now,
                   std::nullopt};
  // Built before the transaction: with one writer (SQLite), the transaction's time is
  // everyone's, and hashing or serialising needs no store.
  store::Params row = store::args(out.key.id, out.key.tenant_id, out.key.name, out.key.mode,
                                  hash_secret(out.secret), out.key.last_four,
                                  nlohmann::json(input.scopes).dump(), actor.actor_id(), now);
  nlohmann::json event_data = to_json(out.key);
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    // Deferred: id and key are fresh random values, so no failure here is the caller's to handle.
    store::insert_rows(
        s,
        "INSERT INTO api_keys (id, tenant_id, name, mode, key_hash, last_four, scopes, created_by, "
        "created_at) VALUES ",
        "($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, std::move(row));
    co_await write_audit(s, audit, "api_key.created", "api_key", out.key.id);
    co_await events_.record(s, out.key.tenant_id, "api_key.created", event_data);
  });
  co_return out;
}

boost::asio::awaitable<Page<ApiKey>> ApiKeyService::list(std::string tenant_id,
                                                         store::PageRequest page) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL";
  store::Params params{tenant_id};
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(sql, params);
  std::vector<ApiKey> rows;
  for (const auto& row : r.rows) rows.push_back(key_from_row(row));
  co_return to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<std::optional<ApiKey>> ApiKeyService::get(std::string tenant_id,
                                                                 std::string id) {
  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kColumns +
          " FROM api_keys WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL",
      store::args(id, tenant_id));
  if (r.empty()) co_return std::nullopt;
  co_return key_from_row(r.front());
}

boost::asio::awaitable<void> ApiKeyService::revoke(const Principal& actor, std::string id,
                                                   AuditContext audit) {
  std::optional<std::string> hash;
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    store::Result r = co_await s.exec(
        std::string("UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND tenant_id = $2 AND "
                    "revoked_at IS NULL RETURNING key_hash, ") +
            kColumns,
        store::args(id, actor.tenant_id, now_ms()));
    if (r.empty()) co_return;
    hash = r.front().text(0);
    co_await write_audit(s, audit, "api_key.revoked", "api_key", id);
    co_await events_.record(s, actor.tenant_id, "api_key.revoked",
                            to_json(key_from_row(r.front(), 1)));
  });
  if (!hash) throw not_found("no such API key");
  cache_.api_keys.erase(*hash);
}

}  // namespace irisx::identity
