#pragma once
// Identity records as services return them; src/api renders them as JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/pagination.hpp"

namespace irisx::identity {

struct Tenant {
  std::string id;
  std::string name;
  std::string status;  // active | suspended
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> suspended_at;
  std::optional<std::string> suspended_reason;
};

struct User {
  std::string id;
  std::string tenant_id;
  std::string email;
  std::string name;
  std::string role;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> last_login_at;
};

struct ApiKey {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::string mode;  // live | test
  std::string last_four;
  std::vector<std::string> scopes;
  std::optional<std::string> created_by;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
};

struct Operator {
  std::string id;
  std::string email;
  std::string name;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_login_at;
};

struct OperatorSession {
  std::string id;
  std::string operator_id;
  std::optional<std::string> ip;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;  // seconds until the access token expires
};

using store::Page;
using store::to_page;

}  // namespace irisx::identity
