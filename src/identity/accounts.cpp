#include "identity/accounts.hpp"

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"
#include "identity/authenticator.hpp"
#include "identity/jwt.hpp"
#include "identity/tenants.hpp"
#include "identity/users.hpp"
#include "identity/views.hpp"

namespace irisx::identity {

void check_login_throttle(kv::Limiter& limiter, std::string key, int max, std::int64_t window_s) {
  const std::int64_t now = now_ms();
  kv::FailureWindow w = limiter.failures(key, window_s * 1000, now);
  if (w.count >= max) {
    std::int64_t retry_ms = w.oldest_ms + window_s * 1000 - now;
    throw too_many_requests("too many failed logins; try again later", (retry_ms + 999) / 1000);
  }
}

boost::asio::awaitable<TokenPair> AccountService::issue(store::Session& s, std::string user_id,
                                                        std::string tenant_id, std::string family) {
  const std::int64_t now = now_ms();
  std::string refresh = "irisx_rt_" + crypto::random_hex(32);
  co_await s.exec(
      "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, tenant_id, created_at, "
      "expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      store::args(new_id("RT"), hash_secret(refresh), family, user_id, tenant_id, now,
                  now + settings_.refresh_ttl_s * 1000));
  AccessClaims claims{user_id, tenant_id, family, now / 1000, now / 1000 + settings_.access_ttl_s};
  co_return TokenPair{sign_access_token(claims, settings_.signing_key), refresh,
                      settings_.access_ttl_s};
}

boost::asio::awaitable<AccountSession> AccountService::signup(SignupInput input,
                                                              AuditContext audit) {
  std::vector<FieldError> errors;
  std::string email = normalize_email(input.email);
  if (input.company_name.empty() || input.company_name.size() > 200) {
    errors.push_back({"company_name", "must be 1 to 200 characters"});
  }
  if (input.name.empty() || input.name.size() > 200)
    errors.push_back({"name", "must be 1 to 200 characters"});
  if (email.empty()) errors.push_back({"email", "must be a valid email address"});
  if (auto p = password_problem(input.password); !p.empty()) errors.push_back({"password", p});
  if (!errors.empty()) throw validation_failed(std::move(errors));

  std::string hash = co_await hasher_.hash(input.password);
  const std::int64_t now = now_ms();
  AccountSession out;
  out.tenant =
      Tenant{new_id("TN"), input.company_name, "active", now, now, std::nullopt, std::nullopt};
  out.user = User{new_id("US"), out.tenant.id, email, input.name, "owner", now, now, now};
  try {
    co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
      co_await s.exec(
          "INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES ($1, $2, $3, $4, "
          "$5)",
          store::args(out.tenant.id, out.tenant.name, out.tenant.status, now, now));
      co_await s.exec(
          "INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, "
          "updated_at, "
          "last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          store::args(out.user.id, out.tenant.id, email, out.user.name, out.user.role, hash, now,
                      now, now));
      out.tokens = co_await issue(s, out.user.id, out.tenant.id, new_id("SS"));
      audit.tenant_id = out.tenant.id;
      audit.actor_type = "user";
      audit.actor_id = out.user.id;
      co_await write_audit(s, audit, "tenant.created", "tenant", out.tenant.id);
      co_await events_.record(s, out.tenant.id, "tenant.created", to_json(out.tenant));
      co_await events_.record(s, out.tenant.id, "user.created", to_json(out.user));
    });
  } catch (const store::StoreError& e) {
    if (e.kind() == store::ErrorKind::unique_violation) {
      throw conflict("email_taken", "a user with this email address already exists");
    }
    throw;
  }
  co_return out;
}

boost::asio::awaitable<AccountSession> AccountService::login(std::string email_in,
                                                             std::string password,
                                                             AuditContext audit) {
  std::string email = normalize_email(email_in);
  if (email.empty() || password.empty()) throw unauthorized("invalid email or password");
  const std::string throttle_key = "login:user:" + email;
  check_login_throttle(limiter_, throttle_key, settings_.login_max_failures,
                       settings_.login_window_s);

  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kUserColumns + ", password_hash FROM users WHERE email = $1",
      store::args(email));
  bool ok = false;
  if (r.empty()) {
    co_await hasher_.verify_dummy(password);
  } else {
    ok = co_await hasher_.verify(r.front().text(8), password);
  }
  if (!ok) {
    limiter_.add_failure(throttle_key, settings_.login_window_s * 1000, now_ms());
    throw unauthorized("invalid email or password");
  }
  limiter_.clear_failures(throttle_key);

  AccountSession out;
  out.user = user_from_row(r.front());
  store::Result t =
      co_await db_.exec(std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE id = $1",
                        store::args(out.user.tenant_id));
  out.tenant = tenant_from_row(t.front());
  if (out.tenant.status != "active")
    throw forbidden("tenant_suspended", "this account is suspended; contact support");

  const std::int64_t now = now_ms();
  out.user.last_login_at = now;
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    co_await s.exec("UPDATE users SET last_login_at = $2 WHERE id = $1",
                    store::args(out.user.id, now));
    out.tokens = co_await issue(s, out.user.id, out.tenant.id, new_id("SS"));
    audit.tenant_id = out.tenant.id;
    audit.actor_type = "user";
    audit.actor_id = out.user.id;
    co_await write_audit(s, audit, "auth.login", "user", out.user.id);
  });
  co_return out;
}

boost::asio::awaitable<TokenPair> AccountService::refresh(std::string refresh_token,
                                                          AuditContext audit) {
  if (refresh_token.rfind("irisx_rt_", 0) != 0 || refresh_token.size() != 9 + 64) {
    throw unauthorized("invalid refresh token");
  }
  const std::string hash = hash_secret(refresh_token);
  const std::int64_t now = now_ms();
  enum class Outcome { rotated, unknown, reused, expired } outcome = Outcome::unknown;
  std::string family;
  TokenPair tokens;
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    // Claim the token atomically: only one presenter can ever use it.
    store::Result claimed = co_await s.exec(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND "
        "revoked_at IS NULL "
        "AND expires_at > $2 RETURNING family_id, user_id, tenant_id",
        store::args(hash, now));
    if (!claimed.empty()) {
      family = claimed.front().text(0);
      const std::string user_id = claimed.front().text(1);
      const std::string tenant_id = claimed.front().text(2);
      store::Result tenant =
          co_await s.exec("SELECT status FROM tenants WHERE id = $1", store::args(tenant_id));
      if (tenant.empty() || tenant.front().text(0) != "active") {
        throw forbidden("tenant_suspended", "this account is suspended; contact support");
      }
      tokens = co_await issue(s, user_id, tenant_id, family);
      audit.tenant_id = tenant_id;
      audit.actor_type = "user";
      audit.actor_id = user_id;
      co_await write_audit(s, audit, "auth.token_refreshed", "user", user_id);
      outcome = Outcome::rotated;
      co_return;
    }
    store::Result seen = co_await s.exec(
        "SELECT family_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        store::args(hash));
    if (seen.empty()) co_return;
    family = seen.front().text(0);
    if (!seen.front().is_null(1) || !seen.front().is_null(2)) {
      co_await s.exec(
          "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
          store::args(family, now));
      outcome = Outcome::reused;
    } else {
      outcome = Outcome::expired;
    }
  });
  switch (outcome) {
    case Outcome::rotated:
      co_return tokens;
    case Outcome::reused:
      cache_.revoked_sessions.erase(family);
      throw ApiError(
          401, "refresh_token_reused",
          "this refresh token was already used; the session has been revoked for safety");
    case Outcome::expired:
      throw ApiError(401, "refresh_token_expired", "the refresh token has expired");
    case Outcome::unknown:
      break;
  }
  throw unauthorized("invalid refresh token");
}

boost::asio::awaitable<void> AccountService::logout(const Principal& principal,
                                                    AuditContext audit) {
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    co_await s.exec(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        store::args(principal.session_id, now_ms()));
    co_await write_audit(s, audit, "auth.logout", "user", principal.user_id);
  });
  cache_.revoked_sessions.erase(principal.session_id);
}

boost::asio::awaitable<void> AccountService::change_password(const Principal& principal,
                                                             std::string current, std::string next,
                                                             AuditContext audit) {
  if (auto p = password_problem(next); !p.empty()) throw validation_failed("new_password", p);
  store::Result r = co_await db_.exec("SELECT password_hash FROM users WHERE id = $1",
                                      store::args(principal.user_id));
  if (r.empty()) throw unauthorized();
  if (!co_await hasher_.verify(r.front().text(0), current)) {
    throw validation_failed("current_password", "is not correct");
  }
  std::string hash = co_await hasher_.hash(next);
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    const std::int64_t now = now_ms();
    co_await s.exec("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                    store::args(principal.user_id, hash, now));
    // Every other login session ends; the one changing the password stays.
    co_await s.exec(
        "UPDATE refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND family_id <> $2 AND "
        "revoked_at IS NULL",
        store::args(principal.user_id, principal.session_id, now));
    co_await write_audit(s, audit, "auth.password_changed", "user", principal.user_id);
  });
  // Other sessions' cached "live" state must not outlast this change.
  store::Result families = co_await db_.exec(
      "SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND family_id <> $2",
      store::args(principal.user_id, principal.session_id));
  for (const auto& row : families.rows) cache_.revoked_sessions.erase(row.text(0));
}

}  // namespace irisx::identity
