// /admin/v1: operator login and sessions, tenants (suspend/reactivate), platform audit log.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"
#include "common/id.hpp"

namespace irisx::api {

void register_admin_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.open("POST", "/admin/v1/auth/login", [&s](http::Request& req) -> R {
    auto body = parse_json_object(req);
    Fields f(body, {"email", "password"});
    std::string email = f.required_string("email");
    std::string password = f.required_string("password");
    f.finish();
    auto login = co_await s.operators.login(email, password, anonymous_audit(req));
    nlohmann::json out = {{"operator", to_json(login.op)},
                          {"session", to_json(login.session)},
                          {"token", login.token},
                          {"token_type", "Bearer"}};
    co_return json_response(200, out);
  });

  routes.admin("POST", "/admin/v1/auth/logout", [&s](http::Request& req, P p) -> R {
    co_await s.operators.revoke_session(p.operator_id, p.session_id, audit_context(req, p));
    co_return http::Response::empty(204);
  });

  routes.admin("GET", "/admin/v1/me", [&s](http::Request&, P p) -> R {
    auto op = co_await s.operators.get(p.operator_id);
    if (!op) throw unauthorized();
    co_return json_response(200, to_json(*op));
  });

  routes.admin("GET", "/admin/v1/sessions", [&s](http::Request&, P p) -> R {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& session : co_await s.operators.sessions(p.operator_id))
      data.push_back(to_json(session));
    nlohmann::json out = {{"data", data}, {"has_more", false}, {"next_cursor", nullptr}};
    co_return json_response(200, out);
  });

  routes.admin("DELETE", "/admin/v1/sessions/{id}", [&s](http::Request& req, P p) -> R {
    if (!co_await s.operators.revoke_session(p.operator_id, path_id(req, "id", "OS"),
                                             audit_context(req, p))) {
      throw not_found("no such session");
    }
    co_return http::Response::empty(204);
  });

  routes.admin("GET", "/admin/v1/tenants", [&s](http::Request& req, P) -> R {
    std::string status = req.query_param("status").value_or("");
    if (!status.empty() && status != "active" && status != "suspended") {
      throw validation_failed("status", "must be active or suspended");
    }
    auto page = co_await s.tenants.list(page_request(req), status);
    co_return json_response(200, list_json(page, next_cursor(page)));
  });

  routes.admin("GET", "/admin/v1/tenants/{id}", [&s](http::Request& req, P) -> R {
    const std::string& id = path_id(req, "id", "TN");
    auto tenant = co_await s.tenants.get(id);
    if (!tenant) throw not_found("no such tenant");
    auto stats = co_await s.tenants.stats(id);
    nlohmann::json out = to_json(*tenant);
    out["stats"] = {{"users", stats.users}, {"api_keys", stats.api_keys}};
    co_return json_response(200, out);
  });

  routes.admin("POST", "/admin/v1/tenants/{id}/suspend", [&s](http::Request& req, P p) -> R {
    const std::string& id = path_id(req, "id", "TN");
    std::string reason;
    if (!req.body.empty()) {
      auto body = parse_json_object(req);
      Fields f(body, {"reason"});
      reason = f.optional_string("reason", 500).value_or("");
      f.finish();
    }
    auto tenant = co_await s.tenants.suspend(id, reason, audit_context(req, p));
    co_return json_response(200, to_json(tenant));
  });

  routes.admin("POST", "/admin/v1/tenants/{id}/reactivate", [&s](http::Request& req, P p) -> R {
    auto tenant = co_await s.tenants.reactivate(path_id(req, "id", "TN"), audit_context(req, p));
    co_return json_response(200, to_json(tenant));
  });

  routes.admin("GET", "/admin/v1/audit-log", [&s](http::Request& req, P) -> R {
    std::string tenant_id = req.query_param("tenant_id").value_or("");
    if (!tenant_id.empty() && !is_id(tenant_id, "TN"))
      throw validation_failed("tenant_id", "is not a tenant id");
    auto page = co_await identity::list_audit(s.db, tenant_id, page_request(req));
    co_return json_response(200, list_json(page, next_cursor(page)));
  });
}

}  // namespace irisx::api
