// /v1/sip/credentials/{extension}: the digest passwords of a tenant's SIP extensions. Only
// HA1 is kept (voice/registrar/credentials.hpp), so no response ever holds the password or
// anything derived from it.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "voice/numbers/application.hpp"
#include "voice/registrar/credentials.hpp"

namespace irisx::api {
namespace {

namespace registrar = voice::registrar;

constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 128;

nlohmann::json credential_json(const registrar::StoredCredential& c) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["object"] = "sip_credential";
  out["extension"] = c.extension;
  out["realm"] = c.realm;
  out["created_at"] = rfc3339(c.created_at_ms);
  out["updated_at"] = rfc3339(c.updated_at_ms);
  return out;
}

// Audited as the extension (the API's name for a credential); the event's data is the
// credential's public view, never HA1.
store::ChangeRecorder<registrar::StoredCredential> credential_changes(
    ApiServices& s, const http::Request& req, const identity::Principal& p) {
  return change_recorder<registrar::StoredCredential>(
      s, req, p, "sip_credential", credential_json,
      [](const registrar::StoredCredential& c) { return c.extension; });
}

// A realm is the SIP domain phones register to (RFC 3261 §22.1), so it is a host name:
// dot-separated labels of letters, digits and inner hyphens.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    const char c = i < name.size() ? name[i] : '.';
    if (c == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

// Lower-cased (host names compare without case, RFC 3261 §19.1.4), checked, and kept out of
// another tenant's default realm: two tenants sharing a realm and extension get 403 from
// the registrar, which refuses to guess between them.
std::string realm_for(Fields& fields, std::optional<std::string> requested,
                      const std::string& tenant_id) {
  const std::string own = registrar::default_realm(tenant_id);
  if (!requested) return own;
  std::string realm = std::move(*requested);
  for (char& c : realm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const std::string_view reserved = registrar::kDefaultRealmSuffix.substr(1);
  if (!is_host_name(realm)) {
    fields.add_error("realm", "must be a host name such as pbx.example.com");
  } else if (realm != own &&
             (realm == reserved || realm.ends_with(registrar::kDefaultRealmSuffix))) {
    fields.add_error("realm", "names under " + std::string(reserved) +
                                  " are reserved; omit realm for this tenant's own, " + own);
  }
  return realm;
}

std::string cursor_after(const store::Page<registrar::StoredCredential>& page) {
  if (page.items.empty()) return "";
  return store::encode_cursor({page.items.back().created_at_ms, page.items.back().id});
}

}  // namespace

void register_sip_credential_routes(Routes& routes) {
  ApiServices& s = routes.services();
  using P = const identity::Principal&;
  using R = boost::asio::awaitable<http::Response>;

  // PUT: setting a password is the same request whether or not the extension had one.
  routes.tenant("PUT", "/v1/sip/credentials/{extension}", "numbers:write",
                [&s](http::Request& req, P p) -> R {
                  const std::string extension = req.param("extension");
                  auto body = parse_json_object(req);
                  Fields f(body, {"password", "realm"});
                  if (!voice::numbers::is_extension(extension)) {
                    f.add_error("extension", "must be 2 to 32 of 0-9 a-z A-Z _ . -");
                  }
                  std::string password = f.required_string("password", kMaxPassword);
                  if (auto given = body.find("password");
                      given != body.end() && given->is_string() &&
                      given->get_ref<const std::string&>().size() < kMinPassword) {
                    f.add_error("password", "must be at least 12 characters");
                  }
                  std::string realm = realm_for(f, f.optional_string("realm", 253), p.tenant_id);
                  f.finish();
                  auto stored = co_await s.sip_credentials.set_password(
                      p.tenant_id, extension, realm, std::move(password),
                      credential_changes(s, req, p));
                  co_return json_response(200, credential_json(stored));
                });

  routes.tenant("GET", "/v1/sip/credentials", "numbers:read", [&s](http::Request& req, P p) -> R {
    auto page = co_await s.sip_credentials.list(p.tenant_id, page_request(req));
    co_return json_response(200, list_json(page, cursor_after(page), credential_json));
  });

  routes.tenant("DELETE", "/v1/sip/credentials/{extension}", "numbers:write",
                [&s](http::Request& req, P p) -> R {
                  const std::string extension = req.param("extension");
                  if (!voice::numbers::is_extension(extension)) {
                    throw not_found("no such SIP credential");
                  }
                  const bool removed = co_await s.sip_credentials.remove(
                      p.tenant_id, extension, credential_changes(s, req, p));
                  if (!removed) throw not_found("no such SIP credential");
                  co_return http::Response::empty(204);
                });
}

}  // namespace irisx::api
