// /v1/webhooks: endpoints (the secret is shown at creation and rotation only), their delivery
// log, test events and manual retries.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"

namespace irisx::api {
namespace {

nlohmann::json with_secret(const webhooks::EndpointWithSecret& created) {
  nlohmann::json out = webhooks::to_json(created.endpoint);
  out["secret"] = created.secret;
  return out;
}

}  // namespace

void register_webhook_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.tenant(
      "POST", "/v1/webhooks", "webhooks:write",
      [&s](http::Request& req, P p) -> R {
        auto body = parse_json_object(req);
        Fields f(body, {"url", "events", "description", "enabled"});
        webhooks::NewEndpoint input{f.required_string("url", 2000),
                                    f.required_string_list("events"),
                                    f.optional_string("description", 500).value_or(""),
                                    f.optional_bool("enabled").value_or(true)};
        f.finish();
        auto created = co_await s.webhooks.create(p, std::move(input), audit_context(req, p));
        co_return json_response(201, with_secret(created));
      },
      Creates::yes);

  // The secret that signs every status callback of the tenant, created or rotated; shown once.
  routes.tenant("POST", "/v1/webhooks/callback-secret", "webhooks:write",
                [&s](http::Request& req, P p) -> R {
                  auto rotated = co_await s.callbacks.rotate_secret(p, audit_context(req, p));
                  co_return json_response(200, webhooks::to_json(rotated));
                });

  routes.tenant("GET", "/v1/webhooks", "webhooks:read", [&s](http::Request& req, P p) -> R {
    auto page = co_await s.webhooks.list(p.tenant_id, page_request(req));
    co_return json_response(200, list_json(page, next_cursor(page)));
  });

  routes.tenant("GET", "/v1/webhooks/{id}", "webhooks:read", [&s](http::Request& req, P p) -> R {
    auto endpoint = co_await s.webhooks.require(p.tenant_id, path_id(req, "id", "WH"));
    co_return json_response(200, webhooks::to_json(endpoint));
  });

  routes.tenant("PATCH", "/v1/webhooks/{id}", "webhooks:write", [&s](http::Request& req, P p) -> R {
    const std::string& id = path_id(req, "id", "WH");
    auto body = parse_json_object(req);
    Fields f(body, {"url", "events", "description", "enabled"});
    webhooks::EndpointChanges changes{
        f.optional_string("url", 2000), f.optional_string_list("events"),
        f.optional_string("description", 500), f.optional_bool("enabled")};
    f.finish();
    auto endpoint = co_await s.webhooks.update(p, id, std::move(changes), audit_context(req, p));
    co_return json_response(200, webhooks::to_json(endpoint));
  });

  routes.tenant("DELETE", "/v1/webhooks/{id}", "webhooks:write",
                [&s](http::Request& req, P p) -> R {
                  co_await s.webhooks.remove(p, path_id(req, "id", "WH"), audit_context(req, p));
                  co_return http::Response::empty(204);
                });

  routes.tenant("POST", "/v1/webhooks/{id}/rotate-secret", "webhooks:write",
                [&s](http::Request& req, P p) -> R {
                  auto rotated = co_await s.webhooks.rotate_secret(p, path_id(req, "id", "WH"),
                                                                   audit_context(req, p));
                  co_return json_response(200, with_secret(rotated));
                });

  routes.tenant("POST", "/v1/webhooks/{id}/test", "webhooks:write",
                [&s](http::Request& req, P p) -> R {
                  auto delivery = co_await s.webhooks.send_test(p, path_id(req, "id", "WH"));
                  co_return json_response(202, webhooks::to_json(delivery));
                });

  routes.tenant(
      "GET", "/v1/webhooks/{id}/deliveries", "webhooks:read", [&s](http::Request& req, P p) -> R {
        // The callbacks endpoint's log (its id comes with the callback secret) is readable too.
        auto endpoint = co_await s.webhooks.require(p.tenant_id, path_id(req, "id", "WH"), true);
        auto page = co_await s.deliveries.list(p.tenant_id, endpoint.id, page_request(req));
        co_return json_response(200, list_json(page, next_cursor(page)));
      });

  routes.tenant("POST", "/v1/webhooks/deliveries/{id}/retry", "webhooks:write",
                [&s](http::Request& req, P p) -> R {
                  auto delivery =
                      co_await s.deliveries.retry(p.tenant_id, path_id(req, "id", "WD"));
                  co_return json_response(202, webhooks::to_json(delivery));
                });
}

}  // namespace irisx::api
