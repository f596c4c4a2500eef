#pragma once
// Sign-up, login, refresh-token rotation, logout and password change for tenant users.
// A login starts a session: a family of refresh tokens, each usable once. Presenting a used
// token again means it was stolen or replayed, so the whole family is revoked.
#include <string>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/auth_cache.hpp"
#include "identity/models.hpp"
#include "identity/password.hpp"
#include "identity/principal.hpp"
#include "kv/limiter.hpp"

namespace irisx::identity {

struct SessionSettings {
  std::string signing_key;
  std::int64_t access_ttl_s = 900;
  std::int64_t refresh_ttl_s = 30LL * 24 * 3600;
  int login_max_failures = 5;
  std::int64_t login_window_s = 900;
};

struct SignupInput {
  std::string company_name;
  std::string name;
  std::string email;
  std::string password;
};

struct AccountSession {
  Tenant tenant;
  User user;
  TokenPair tokens;
};

class AccountService {
 public:
  AccountService(store::Database& db, PasswordHasher& hasher, kv::Limiter& limiter,
                 AuthCache& cache, events::Publisher& events, SessionSettings settings)
      : db_(db),
        hasher_(hasher),
        limiter_(limiter),
        cache_(cache),
        events_(events),
        settings_(std::move(settings)) {}

  boost::asio::awaitable<AccountSession> signup(SignupInput input, AuditContext audit);
  boost::asio::awaitable<AccountSession> login(std::string email, std::string password,
                                               AuditContext audit);
  boost::asio::awaitable<TokenPair> refresh(std::string refresh_token, AuditContext audit);
  boost::asio::awaitable<void> logout(const Principal& principal, AuditContext audit);
  boost::asio::awaitable<void> change_password(const Principal& principal, std::string current,
                                               std::string next, AuditContext audit);

 private:
  // Inserts a refresh token of `family` and signs an access token; runs inside a transaction.
  boost::asio::awaitable<TokenPair> issue(store::Session& s, std::string user_id,
                                          std::string tenant_id, std::string family);

  store::Database& db_;
  PasswordHasher& hasher_;
  kv::Limiter& limiter_;
  AuthCache& cache_;
  events::Publisher& events_;
  SessionSettings settings_;
};

// Login throttling shared by users and operators: 429 once `max` failures fall in the window.
void check_login_throttle(kv::Limiter& limiter, std::string key, int max, std::int64_t window_s);

}  // namespace irisx::identity
