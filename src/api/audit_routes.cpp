// /v1/audit-log: the tenant's audit trail.
#include "api/routes.hpp"
#include "api/views.hpp"

namespace irisx::api {

void register_audit_routes(Routes& routes) {
  ApiServices& s = routes.services();
  routes.tenant("GET", "/v1/audit-log", "audit:read",
                [&s](http::Request& req,
                     const identity::Principal& p) -> boost::asio::awaitable<http::Response> {
                  auto page = co_await identity::list_audit(s.db, p.tenant_id, page_request(req));
                  co_return json_response(200, list_json(page, next_cursor(page)));
                });
}

}  // namespace irisx::api
