#include "identity/principal.hpp"

#include <algorithm>

namespace irisx::identity {
namespace {

constexpr const char* kResources[] = {
    "tenant",     "users",    "api_keys", "audit",         "webhooks", "events",
    "calls",      "messages", "emails",   "conversations", "contacts", "numbers",
    "recordings", "flows",    "agents",   "queues",        "usage",    "billing"};

bool among(std::string_view resource, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), resource) != list.end();
}

// What each role may do, per resource (see docs/api/roles.md).
bool role_allows(Role role, std::string_view resource, bool write) {
  switch (role) {
    case Role::owner:
      return true;
    case Role::admin:
      return !(write && resource == "billing");
    case Role::developer:
      if (among(resource, {"audit", "billing"})) return false;
      if (!write) return true;
      return among(resource, {"api_keys", "webhooks", "calls", "messages", "emails", "numbers",
                              "recordings", "flows", "contacts", "conversations"});
    case Role::agent:
      if (!write) {
        return among(resource, {"tenant", "users", "conversations", "contacts", "messages", "calls",
                                "emails", "recordings", "queues", "agents"});
      }
      return among(resource, {"conversations", "contacts", "messages", "calls", "emails"});
    case Role::viewer:
      return !write && !among(resource, {"audit", "api_keys", "billing"});
  }
  return false;
}

}  // namespace

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::owner, Role::admin, Role::developer, Role::agent, Role::viewer}) {
    if (name == role_name(r)) return r;
  }
  return std::nullopt;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::owner:
      return "owner";
    case Role::admin:
      return "admin";
    case Role::developer:
      return "developer";
    case Role::agent:
      return "agent";
    case Role::viewer:
      return "viewer";
  }
  return "viewer";
}

int role_rank(Role role) {
  switch (role) {
    case Role::owner:
      return 5;
    case Role::admin:
      return 4;
    case Role::developer:
      return 3;
    case Role::agent:
      return 2;
    case Role::viewer:
      return 1;
  }
  return 0;
}

const std::vector<std::string>& all_scopes() {
  static const std::vector<std::string> scopes = [] {
    std::vector<std::string> out;
    for (const char* r : kResources) {
      out.push_back(std::string(r) + ":read");
      out.push_back(std::string(r) + ":write");
    }
    return out;
  }();
  return scopes;
}

bool is_known_scope(std::string_view scope) {
  const auto& all = all_scopes();
  return std::find(all.begin(), all.end(), scope) != all.end();
}

std::vector<std::string> role_scopes(Role role) {
  std::vector<std::string> out;
  for (const char* r : kResources) {
    if (role_allows(role, r, false)) out.push_back(std::string(r) + ":read");
    if (role_allows(role, r, true)) out.push_back(std::string(r) + ":write");
  }
  return out;
}

const char* actor_type_name(ActorType type) {
  switch (type) {
    case ActorType::user:
      return "user";
    case ActorType::api_key:
      return "api_key";
    case ActorType::operator_:
      return "operator";
  }
  return "user";
}

bool Principal::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::string Principal::actor_id() const {
  switch (type) {
    case ActorType::user:
      return user_id;
    case ActorType::api_key:
      return api_key_id;
    case ActorType::operator_:
      return operator_id;
  }
  return user_id;
}

}  // namespace irisx::identity
