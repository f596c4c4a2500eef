// /v1/api-keys: create (the key is shown once), list (masked), revoke.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"

namespace irisx::api {

void register_api_key_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.tenant(
      "POST", "/v1/api-keys", "api_keys:write",
      [&s](http::Request& req, P p) -> R {
        auto body = parse_json_object(req);
        Fields f(body, {"name", "scopes", "mode"});
        identity::NewApiKey input{f.required_string("name"), f.required_string_list("scopes"),
                                  f.optional_string("mode").value_or("live")};
        f.finish();
        auto created = co_await s.api_keys.create(p, std::move(input), audit_context(req, p));
        nlohmann::json out = to_json(created.key);
        out["key"] = created.secret;
        co_return json_response(201, out);
      },
      Creates::yes);

  routes.tenant("GET", "/v1/api-keys", "api_keys:read", [&s](http::Request& req, P p) -> R {
    auto page = co_await s.api_keys.list(p.tenant_id, page_request(req));
    co_return json_response(200, list_json(page, next_cursor(page)));
  });

  routes.tenant("GET", "/v1/api-keys/{id}", "api_keys:read", [&s](http::Request& req, P p) -> R {
    auto key = co_await s.api_keys.get(p.tenant_id, path_id(req, "id", "AK"));
    if (!key) throw not_found("no such API key");
    co_return json_response(200, to_json(*key));
  });

  routes.tenant("DELETE", "/v1/api-keys/{id}", "api_keys:write",
                [&s](http::Request& req, P p) -> R {
                  co_await s.api_keys.revoke(p, path_id(req, "id", "AK"), audit_context(req, p));
                  co_return http::Response::empty(204);
                });
}

}  // namespace irisx::api
