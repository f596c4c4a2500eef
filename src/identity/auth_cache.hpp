#pragma once
// Short-lived cache of what authentication needs per request (API key records, user roles,
// tenant status, revoked login sessions), so that authenticated reads need no store round
// trip. Local changes invalidate entries at once; other nodes see them within the TTL.
#include <chrono>
#include <string>
#include <vector>

#include "identity/models.hpp"
#include "identity/principal.hpp"
#include "identity/ttl_map.hpp"

namespace irisx::identity {

struct CachedApiKey {
  std::string id;
  std::string tenant_id;
  std::vector<std::string> scopes;
};

struct CachedUser {
  std::string tenant_id;
  Role role;
};

struct AuthCache {
  explicit AuthCache(std::chrono::milliseconds ttl)
      : api_keys(ttl), users(ttl), tenants(ttl), revoked_sessions(ttl) {}
  TtlMap<CachedApiKey> api_keys;  // by key hash
  TtlMap<CachedUser> users;       // by user id
  TtlMap<Tenant> tenants;         // by tenant id
  TtlMap<bool> revoked_sessions;  // by refresh family id: value true when revoked
};

}  // namespace irisx::identity
