// /v1/phone_numbers: a tenant's DIDs and the voice application each runs. A number belongs to
// one tenant platform-wide, so creating one that any tenant holds is 409 number_taken.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"
#include "voice/numbers/number_store.hpp"

namespace irisx::api {
namespace {

namespace numbers = voice::numbers;

// The nested voice_application object; its rules are voice/numbers' own.
std::optional<numbers::VoiceApplication> application_field(Fields& fields,
                                                           const nlohmann::json& body) {
  auto it = body.find("voice_application");
  if (it == body.end()) {
    fields.add_error("voice_application", "is required");
    return std::nullopt;
  }
  if (!it->is_object()) {
    fields.add_error("voice_application", "must be an object");
    return std::nullopt;
  }
  auto parsed = numbers::parse_voice_application(it->dump());
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    fields.add_error("voice_application", *problem);
    return std::nullopt;
  }
  return std::get<numbers::VoiceApplication>(std::move(parsed));
}

// status_callback: an absolute http(s) URL, or null (no callback). Only the shape is checked
// here; the SSRF guard runs after the rest of the body is known to be valid.
std::optional<std::optional<std::string>> status_callback_field(Fields& fields,
                                                                const nlohmann::json& body) {
  auto it = body.find("status_callback");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    fields.add_error("status_callback", "must be an http or https URL or null");
    return std::nullopt;
  }
  return it->get<std::string>();
}

// Refuses a URL the webhook SSRF guard refuses, with the same 422.
boost::asio::awaitable<void> check_callback(ApiServices& s,
                                            const std::optional<std::optional<std::string>>& url) {
  if (url && *url) co_await s.webhooks.check_url(**url, "status_callback");
}

std::string cursor_after(const store::Page<numbers::PhoneNumber>& page) {
  if (page.items.empty()) return "";
  return store::encode_cursor({page.items.back().created_at_ms, page.items.back().id});
}

store::ChangeRecorder<numbers::PhoneNumber> number_changes(ApiServices& s, const http::Request& req,
                                                           const identity::Principal& p) {
  return change_recorder<numbers::PhoneNumber>(
      s, req, p, "phone_number", [](const numbers::PhoneNumber& n) { return numbers::to_json(n); },
      [](const numbers::PhoneNumber& n) { return n.id; });
}

}  // namespace

void register_number_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  routes.tenant(
      "POST", "/v1/phone_numbers", "numbers:write",
      [&s](http::Request& req, P p) -> R {
        auto body = parse_json_object(req);
        Fields f(body, {"number", "voice_application", "status_callback"});
        std::string number = f.required_string("number");
        if (auto given = body.find("number");
            given != body.end() && given->is_string() && !numbers::is_e164(number)) {
          f.add_error("number", "must be an E.164 number such as +15551234567");
        }
        auto application = application_field(f, body);
        auto callback = status_callback_field(f, body);
        f.finish();
        co_await check_callback(s, callback);
        auto created =
            co_await s.numbers.create(p.tenant_id, std::move(number), *application,
                                      callback.value_or(std::nullopt), number_changes(s, req, p));
        co_return json_response(201, numbers::to_json(created));
      },
      Creates::yes);

  routes.tenant("GET", "/v1/phone_numbers", "numbers:read", [&s](http::Request& req, P p) -> R {
    auto page = co_await s.numbers.list(p.tenant_id, page_request(req));
    co_return json_response(200, list_json(page, cursor_after(page)));
  });

  routes.tenant("GET", "/v1/phone_numbers/{id}", "numbers:read",
                [&s](http::Request& req, P p) -> R {
                  auto number = co_await s.numbers.find(p.tenant_id, path_id(req, "id", "PN"));
                  if (!number) throw not_found("no such phone number");
                  co_return json_response(200, numbers::to_json(*number));
                });

  routes.tenant("PATCH", "/v1/phone_numbers/{id}", "numbers:write",
                [&s](http::Request& req, P p) -> R {
                  const std::string& id = path_id(req, "id", "PN");
                  auto body = parse_json_object(req);
                  Fields f(body, {"voice_application", "status_callback"});
                  numbers::NumberChanges changes;
                  changes.status_callback = status_callback_field(f, body);
                  // A PATCH changes the application, the callback or both; with neither it names
                  // the application as missing, as before status callbacks existed.
                  if (body.contains("voice_application") || !body.contains("status_callback")) {
                    changes.application = application_field(f, body);
                  }
                  f.finish();
                  co_await check_callback(s, changes.status_callback);
                  auto updated = co_await s.numbers.update(p.tenant_id, id, std::move(changes),
                                                           number_changes(s, req, p));
                  if (!updated) throw not_found("no such phone number");
                  co_return json_response(200, numbers::to_json(*updated));
                });

  routes.tenant("DELETE", "/v1/phone_numbers/{id}", "numbers:write",
                [&s](http::Request& req, P p) -> R {
                  const bool removed = co_await s.numbers.remove(
                      p.tenant_id, path_id(req, "id", "PN"), number_changes(s, req, p));
                  if (!removed) throw not_found("no such phone number");
                  co_return http::Response::empty(204);
                });
}

}  // namespace irisx::api
