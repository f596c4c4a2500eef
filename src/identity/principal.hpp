#pragma once
// Who is calling: a tenant user (JWT), a tenant API key, or a platform operator. Roles map to
// scopes; API keys carry an explicit subset of their creator's scopes. Authorisation is always
// "does the principal hold scope X".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irisx::identity {

enum class Role { owner, admin, developer, agent, viewer };

std::optional<Role> parse_role(std::string_view name);
const char* role_name(Role role);
int role_rank(Role role);  // owner highest
const std::vector<std::string>& all_scopes();
bool is_known_scope(std::string_view scope);
std::vector<std::string> role_scopes(Role role);

enum class ActorType { user, api_key, operator_ };
const char* actor_type_name(ActorType type);

struct Principal {
  ActorType type = ActorType::user;
  std::string tenant_id;     // empty for operators
  std::string user_id;       // users
  std::string api_key_id;    // API keys
  std::string operator_id;   // operators
  std::string session_id;    // refresh-token family (users) or operator session
  Role role = Role::viewer;  // users only
  std::vector<std::string> scopes;

  bool has_scope(std::string_view scope) const;
  std::string actor_id() const;
};

}  // namespace irisx::identity
