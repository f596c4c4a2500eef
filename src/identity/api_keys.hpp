#pragma once
// Tenant API keys: `irisx_live_<64 hex>` (or irisx_test_), shown once at creation and stored
// only as a SHA-256 hash. A key's scopes must be a subset of its creator's.
#include <optional>
#include <string>
#include <vector>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/auth_cache.hpp"
#include "identity/models.hpp"
#include "identity/principal.hpp"
#include "store/pagination.hpp"

namespace irisx::identity {

struct NewApiKey {
  std::string name;
  std::vector<std::string> scopes;
  std::string mode = "live";
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // the only time the full key exists outside the caller's hands
};

class ApiKeyService {
 public:
  ApiKeyService(store::Database& db, AuthCache& cache, events::Publisher& events)
      : db_(db), cache_(cache), events_(events) {}

  boost::asio::awaitable<CreatedApiKey> create(const Principal& actor, NewApiKey input,
                                               AuditContext audit);
  boost::asio::awaitable<Page<ApiKey>> list(std::string tenant_id, store::PageRequest page);
  boost::asio::awaitable<std::optional<ApiKey>> get(std::string tenant_id, std::string id);
  boost::asio::awaitable<void> revoke(const Principal& actor, std::string id, AuditContext audit);

 private:
  store::Database& db_;
  AuthCache& cache_;
  events::Publisher& events_;
};

}  // namespace irisx::identity
