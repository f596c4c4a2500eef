#pragma once
// Short-lived cache of what authentication needs per request (API key records, user roles,
// tenant status, revoked login sessions), so that authenticated reads need no store round
// trip. Local changes invalidate entries at once; other nodes see them within the TTL.
#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "identity/models.hpp"
#include "identity/principal.hpp"

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

template <class V>
class TtlMap {
 public:
  explicit TtlMap(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  // Empty optional: not cached. A cached "absent" is stored as a value holding nullopt.
  std::optional<std::optional<V>> get(std::string key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    if (std::chrono::steady_clock::now() >= it->second.expires) {
      s.map.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  void put(std::string key, std::optional<V> value) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    if (s.map.size() > 100000) s.map.clear();  // bound memory under a flood of bogus keys
    s.map[key] = Entry{std::move(value), std::chrono::steady_clock::now() + ttl_};
  }

  void erase(std::string key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    s.map.erase(key);
  }

 private:
  struct Entry {
    std::optional<V> value;
    std::chrono::steady_clock::time_point expires;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Entry> map;
  };
  Shard& shard(std::string key) { return shards_[std::hash<std::string>{}(key) % shards_.size()]; }

  std::chrono::milliseconds ttl_;
  std::array<Shard, 8> shards_;
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
