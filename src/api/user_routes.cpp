// /v1/users: the tenant's users and their roles.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"

namespace irisx::api {

void register_user_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.tenant(
      "POST", "/v1/users", "users:write",
      [&s](http::Request& req, P p) -> R {
        auto body = parse_json_object(req);
        Fields f(body, {"email", "name", "role", "password"});
        identity::NewUser input{f.required_string("email"), f.required_string("name"),
                                f.required_string("role"), f.required_string("password")};
        f.finish();
        auto user = co_await s.users.create(p, std::move(input), audit_context(req, p));
        co_return json_response(201, to_json(user));
      },
      Creates::yes);

  routes.tenant("GET", "/v1/users", "users:read", [&s](http::Request& req, P p) -> R {
    auto page = co_await s.users.list(p.tenant_id, page_request(req));
    co_return json_response(200, list_json(page, next_cursor(page)));
  });

  routes.tenant("GET", "/v1/users/{id}", "users:read", [&s](http::Request& req, P p) -> R {
    auto user = co_await s.users.get(p.tenant_id, path_id(req, "id", "US"));
    if (!user) throw not_found("no such user");
    co_return json_response(200, to_json(*user));
  });

  routes.tenant("PATCH", "/v1/users/{id}", "users:write", [&s](http::Request& req, P p) -> R {
    const std::string& id = path_id(req, "id", "US");
    auto body = parse_json_object(req);
    Fields f(body, {"name", "role"});
    identity::UserChanges changes{f.optional_string("name"), f.optional_string("role")};
    f.finish();
    auto user = co_await s.users.update(p, id, std::move(changes), audit_context(req, p));
    co_return json_response(200, to_json(user));
  });

  routes.tenant("DELETE", "/v1/users/{id}", "users:write", [&s](http::Request& req, P p) -> R {
    co_await s.users.remove(p, path_id(req, "id", "US"), audit_context(req, p));
    co_return http::Response::empty(204);
  });
}

}  // namespace irisx::api
