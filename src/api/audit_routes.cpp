// /v1/audit-log: the tenant's audit trail.
#include "api/routes.hpp"
#include "api/views.hpp"

namespace irisx::api {

void register_audit_routes(Routes& routes) {
  ApiServices& s = routes.services();
  routes.tenant("GET", "/v1/audit-log", "audit:read",
                [&s](http::Request& req, const identity::Principal& p) -> boost::asio::awaitable<http::Response> {
                  store::PageRequest page = page_request(req);
                  auto entries = co_await identity::list_audit(s.db, p.tenant_id, page);
                  identity::Page<identity::AuditEntry> out{std::move(entries), false};
                  if (out.items.size() > static_cast<std::size_t>(page.limit)) {
                    out.items.pop_back();
                    out.has_more = true;
                  }
                  co_return json_response(200, list_json(out, next_cursor(out)));
                });
}

}  // namespace irisx::api
