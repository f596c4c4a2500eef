#include "identity/audit.hpp"

#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::identity {

namespace {
store::Value text_or_null(std::string s) {
  if (s.empty()) return nullptr;
  return s;
}
}  // namespace

boost::asio::awaitable<void> write_audit(store::Session& session, AuditContext context,
                                         std::string action, std::string target_type,
                                         std::string target_id) {
  store::insert_rows(
      session,
      "INSERT INTO audit_log (id, tenant_id, actor_type, actor_id, action, target_type, target_id, "
      "ip, request_id, created_at) VALUES ",
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10,
      store::args(new_id("AU"), text_or_null(context.tenant_id), context.actor_type,
                  context.actor_id, action, text_or_null(target_type), text_or_null(target_id),
                  text_or_null(context.ip), text_or_null(context.request_id), now_ms()));
  co_return;
}

boost::asio::awaitable<Page<AuditEntry>> list_audit(store::Database& db, std::string tenant_id,
                                                    store::PageRequest page) {
  std::string sql =
      "SELECT id, tenant_id, actor_type, actor_id, action, target_type, target_id, ip, request_id, "
      "created_at FROM audit_log WHERE 1 = 1";
  store::Params params;
  if (!tenant_id.empty()) {
    sql += " AND tenant_id = $1";
    params.emplace_back(tenant_id);
  }
  store::append_page_clause(sql, params, page);
  store::Result result = co_await db.exec(sql, params);
  std::vector<AuditEntry> out;
  for (const auto& r : result.rows) {
    out.push_back({r.text(0), r.opt_text(1), r.text(2), r.text(3), r.text(4), r.opt_text(5),
                   r.opt_text(6), r.opt_text(7), r.opt_text(8), r.int64(9)});
  }
  co_return to_page(std::move(out), page.limit);
}

}  // namespace irisx::identity
