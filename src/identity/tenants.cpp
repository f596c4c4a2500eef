#include "identity/tenants.hpp"

#include "common/error.hpp"
#include "common/time.hpp"
#include "identity/views.hpp"

namespace irisx::identity {

const char* const kTenantColumns =
    "id, name, status, created_at, updated_at, suspended_at, suspended_reason";

Tenant tenant_from_row(const store::Row& r, std::size_t f) {
  return {r.text(f),      r.text(f + 1),      r.text(f + 2),    r.int64(f + 3),
          r.int64(f + 4), r.opt_int64(f + 5), r.opt_text(f + 6)};
}

boost::asio::awaitable<std::optional<Tenant>> TenantService::get(std::string id) {
  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE id = $1", store::args(id));
  if (r.empty()) co_return std::nullopt;
  co_return tenant_from_row(r.front());
}

boost::asio::awaitable<TenantStats> TenantService::stats(std::string id) {
  store::Result users =
      co_await db_.exec("SELECT COUNT(*) FROM users WHERE tenant_id = $1", store::args(id));
  store::Result keys = co_await db_.exec(
      "SELECT COUNT(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL", store::args(id));
  co_return TenantStats{users.front().int64(0), keys.front().int64(0)};
}

boost::asio::awaitable<Page<Tenant>> TenantService::list(store::PageRequest page,
                                                         std::string status) {
  std::string sql = std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE 1 = 1";
  store::Params params;
  if (!status.empty()) {
    sql += " AND status = $1";
    params.emplace_back(status);
  }
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(sql, params);
  std::vector<Tenant> rows;
  for (const auto& row : r.rows) rows.push_back(tenant_from_row(row));
  co_return to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<Tenant> TenantService::set_status(std::string id, std::string status,
                                                         std::string reason, AuditContext audit) {
  std::optional<Tenant> updated;
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    const std::int64_t now = now_ms();
    store::Value suspended_at = status == "suspended" ? store::Value(now) : store::Value(nullptr);
    store::Value why =
        status == "suspended" && !reason.empty() ? store::Value(reason) : store::Value(nullptr);
    store::Result r = co_await s.exec(std::string("UPDATE tenants SET status = $2, suspended_at = "
                                                  "$3, suspended_reason = $4, updated_at = $5 "
                                                  "WHERE id = $1 RETURNING ") +
                                          kTenantColumns,
                                      store::args(id, status, suspended_at, why, now));
    if (r.empty()) co_return;
    updated = tenant_from_row(r.front());
    AuditContext ctx = audit;
    ctx.tenant_id = id;
    const std::string change = status == "suspended" ? "tenant.suspended" : "tenant.reactivated";
    co_await write_audit(s, ctx, change, "tenant", id);
    co_await events_.record(s, id, change, to_json(*updated));
  });
  if (!updated) throw not_found("no such tenant");
  cache_.tenants.erase(id);
  co_return *updated;
}

boost::asio::awaitable<Tenant> TenantService::suspend(std::string id, std::string reason,
                                                      AuditContext audit) {
  co_return co_await set_status(id, "suspended", reason, audit);
}

boost::asio::awaitable<Tenant> TenantService::reactivate(std::string id, AuditContext audit) {
  co_return co_await set_status(id, "active", "", audit);
}

}  // namespace irisx::identity
