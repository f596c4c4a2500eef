// Health, readiness, Prometheus metrics, the OpenAPI document and its rendered page.
#include <nlohmann/json.hpp>

#include "api/openapi.hpp"
#include "api/routes.hpp"

namespace irisx::api {

void register_system_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using R = boost::asio::awaitable<http::Response>;

  routes.open("GET", "/healthz", [&s](http::Request&) -> R {
    nlohmann::json out = {{"status", "ok"}, {"version", s.version}};
    co_return json_response(200, out);
  });

  routes.open("GET", "/readyz", [&s](http::Request&) -> R {
    bool ready = true;
    try {
      co_await s.db.ping();
    } catch (const store::StoreError&) {
      ready = false;
    }
    nlohmann::json out = {{"status", ready ? "ready" : "unavailable"},
                          {"checks", {{"store", ready ? "ok" : "down"}}}};
    co_return json_response(ready ? 200 : 503, out);
  });

  routes.open("GET", "/metrics", [&s](http::Request&) -> R {
    http::Response r = http::Response::json(200, s.metrics.render());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    co_return r;
  });

  routes.open("GET", "/v1/openapi.json", [](http::Request&) -> R {
    co_return http::Response::json(200, std::string(openapi_document()));
  });

  routes.open("GET", "/docs", [](http::Request&) -> R {
    http::Response r = http::Response::json(200, std::string(docs_page()));
    r.content_type = "text/html; charset=utf-8";
    r.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                 "connect-src 'self'");
    co_return r;
  });
}

}  // namespace irisx::api
