#pragma once
// Platform operators: a population separate from tenant users, with their own login and
// revocable sessions (opaque `irisx_op_<64 hex>` tokens stored as hashes).
#include <optional>
#include <string>
#include <vector>

#include "identity/audit.hpp"
#include "identity/models.hpp"
#include "identity/password.hpp"
#include "identity/principal.hpp"
#include "kv/limiter.hpp"

namespace irisx::identity {

struct OperatorLogin {
  Operator op;
  OperatorSession session;
  std::string token;
};

class OperatorService {
 public:
  OperatorService(store::Database& db, PasswordHasher& hasher, kv::Limiter& limiter,
                  std::int64_t session_ttl_s, int login_max_failures, std::int64_t login_window_s)
      : db_(db),
        hasher_(hasher),
        limiter_(limiter),
        session_ttl_s_(session_ttl_s),
        max_failures_(login_max_failures),
        window_s_(login_window_s) {}

  // Used by `irisx admin create-operator`.
  boost::asio::awaitable<Operator> create(std::string email, std::string password,
                                          std::string name);
  boost::asio::awaitable<OperatorLogin> login(std::string email, std::string password,
                                              AuditContext audit);
  boost::asio::awaitable<std::optional<Operator>> get(std::string id);
  boost::asio::awaitable<std::vector<OperatorSession>> sessions(std::string operator_id);
  // Revokes one of the operator's own sessions; false when no such live session exists.
  boost::asio::awaitable<bool> revoke_session(std::string operator_id, std::string session_id,
                                              AuditContext audit);

 private:
  store::Database& db_;
  PasswordHasher& hasher_;
  kv::Limiter& limiter_;
  std::int64_t session_ttl_s_;
  int max_failures_;
  std::int64_t window_s_;
};

}  // namespace irisx::identity
