// /v1/events: the tenant's events of the last 30 days (the retention is configurable).
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

namespace irisx::api {

void register_event_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.tenant("GET", "/v1/events", "events:read", [&s](http::Request& req, P p) -> R {
    events::EventQuery query{p.tenant_id, "", now_ms() - s.event_retention_ms, page_request(req)};
    if (auto type = req.query_param("type"); type && !type->empty()) {
      query.type = *type;
      const bool prefix = query.type.ends_with(".*");
      const std::string stem =
          prefix ? query.type.substr(0, query.type.size() - 2) + ".x" : query.type;
      if (!events::is_event_type(stem)) {
        throw validation_failed("type", "must be an event type such as message.sent or message.*");
      }
    }
    auto page = co_await events::list_events(s.db, std::move(query));
    co_return json_response(200, list_json(page, next_cursor(page)));
  });

  routes.tenant("GET", "/v1/events/{id}", "events:read", [&s](http::Request& req, P p) -> R {
    auto event = co_await events::get_event(s.db, p.tenant_id, path_id(req, "id", "EV"),
                                            now_ms() - s.event_retention_ms);
    if (!event) throw not_found("no such event");
    co_return json_response(200, events::to_json(*event));
  });
}

}  // namespace irisx::api
