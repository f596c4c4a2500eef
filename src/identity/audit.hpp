#pragma once
// The audit log: who did what to which resource, from where, under which request. Entries are
// written in the same transaction as the change they describe.
#include <optional>
#include <string>
#include <vector>

#include "identity/models.hpp"
#include "store/database.hpp"
#include "store/pagination.hpp"

namespace irisx::identity {

struct AuditContext {
  std::string tenant_id;   // empty for platform-level actions
  std::string actor_type;  // user, api_key, operator, system
  std::string actor_id;
  std::string ip;
  std::string request_id;
};

struct AuditEntry {
  std::string id;
  std::optional<std::string> tenant_id;
  std::string actor_type;
  std::string actor_id;
  std::string action;
  std::optional<std::string> target_type;
  std::optional<std::string> target_id;
  std::optional<std::string> ip;
  std::optional<std::string> request_id;
  std::int64_t created_at;
};

boost::asio::awaitable<void> write_audit(store::Session& session, AuditContext context,
                                         std::string action, std::string target_type,
                                         std::string target_id);

// tenant_id empty: every tenant's and platform entries (operators only).
boost::asio::awaitable<Page<AuditEntry>> list_audit(store::Database& db, std::string tenant_id,
                                                    store::PageRequest page);

}  // namespace irisx::identity
