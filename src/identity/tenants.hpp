#pragma once
#include <optional>
#include <string>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/auth_cache.hpp"
#include "identity/models.hpp"
#include "store/database.hpp"
#include "store/pagination.hpp"

namespace irisx::identity {

struct TenantStats {
  std::int64_t users = 0;
  std::int64_t api_keys = 0;
};

class TenantService {
 public:
  TenantService(store::Database& db, AuthCache& cache, events::Publisher& events)
      : db_(db), cache_(cache), events_(events) {}

  boost::asio::awaitable<std::optional<Tenant>> get(std::string id);
  boost::asio::awaitable<TenantStats> stats(std::string id);
  boost::asio::awaitable<Page<Tenant>> list(store::PageRequest page, std::string status);
  boost::asio::awaitable<Tenant> suspend(std::string id, std::string reason, AuditContext audit);
  boost::asio::awaitable<Tenant> reactivate(std::string id, AuditContext audit);

 private:
  boost::asio::awaitable<Tenant> set_status(std::string id, std::string status, std::string reason,
                                            AuditContext audit);
  store::Database& db_;
  AuthCache& cache_;
  events::Publisher& events_;
};

Tenant tenant_from_row(const store::Row& row, std::size_t first = 0);
extern const char* const kTenantColumns;

}  // namespace irisx::identity
