#pragma once
// Route registration with the wrappers every IRISX resource shares: authentication, scope
// checks, rate limits (with X-RateLimit-* headers), Idempotency-Key on creating POSTs, and the
// mapping of store failures to 503. Each resource registers its routes in its own file.
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/metrics.hpp"
#include "events/events.hpp"
#include "http/router.hpp"
#include "identity/accounts.hpp"
#include "identity/api_keys.hpp"
#include "identity/authenticator.hpp"
#include "identity/operators.hpp"
#include "identity/tenants.hpp"
#include "identity/users.hpp"
#include "kv/limiter.hpp"
#include "store/pagination.hpp"
#include "voice/numbers/number_store.hpp"
#include "voice/registrar/credentials.hpp"
#include "webhooks/callbacks.hpp"
#include "webhooks/deliveries.hpp"
#include "webhooks/endpoints.hpp"

namespace irisx::api {

struct RateLimits {
  bool enabled = true;
  kv::Bucket api_key{100, 200};
  kv::Bucket tenant{200, 400};
};

struct ApiServices {
  store::Database& db;
  identity::Authenticator& authenticator;
  identity::AccountService& accounts;
  identity::UserService& users;
  identity::ApiKeyService& api_keys;
  identity::TenantService& tenants;
  identity::OperatorService& operators;
  webhooks::EndpointService& webhooks;
  webhooks::DeliveryQueue& deliveries;
  webhooks::CallbackService& callbacks;
  voice::numbers::NumberStore& numbers;
  voice::registrar::CredentialStore& sip_credentials;
  events::Publisher& publisher;
  kv::Limiter& limiter;
  metrics::Registry& metrics;
  RateLimits rate_limits;
  std::string data_key;  // 32 bytes: seals stored idempotent responses
  std::string version;
  std::int64_t event_retention_ms = 30LL * 24 * 3600 * 1000;
};

using PrincipalHandler = std::function<boost::asio::awaitable<http::Response>(
    http::Request&, const identity::Principal&)>;

enum class Creates { no, yes };

class Routes {
 public:
  Routes(http::Router& router, ApiServices& services) : router_(router), services_(services) {}

  // A /v1 route for tenant users and API keys holding `scope`.
  void tenant(const std::string& method, const std::string& pattern, const std::string& scope,
              PrincipalHandler handler, Creates creates = Creates::no);
  // A /v1 route open to any authenticated tenant principal (e.g. /v1/me, logout).
  void tenant_any(const std::string& method, const std::string& pattern, PrincipalHandler handler);
  // An /admin/v1 route for operators.
  void admin(const std::string& method, const std::string& pattern, PrincipalHandler handler);
  // A route without authentication (health, signup, login).
  void open(const std::string& method, const std::string& pattern, http::Handler handler);

  ApiServices& services() { return services_; }

 private:
  // Registered handlers capture the long-lived ApiServices, never this short-lived helper.
  http::Router& router_;
  ApiServices& services_;
};

http::Response json_response(int status, const nlohmann::json& body);
identity::AuditContext audit_context(const http::Request& request,
                                     const identity::Principal& principal);
identity::AuditContext anonymous_audit(const http::Request& request);
store::PageRequest page_request(const http::Request& request);

// For services that hand their caller a change to record (store::ChangeRecorder): the audit
// entry of the caller's request and the tenant's event, in the change's transaction. `view`
// gives the resource's JSON (the event's data), `target` its id in the audit log.
template <class Resource, class View, class Target>
store::ChangeRecorder<Resource> change_recorder(ApiServices& services, const http::Request& request,
                                                const identity::Principal& principal,
                                                std::string target_type, View view, Target target) {
  return [&publisher = services.publisher, audit = audit_context(request, principal),
          tenant_id = principal.tenant_id, target_type = std::move(target_type), view,
          target](store::Session& tx, std::string type,
                  const Resource& resource) -> boost::asio::awaitable<void> {
    co_await identity::write_audit(tx, audit, type, target_type, target(resource));
    co_await publisher.record(tx, tenant_id, std::move(type), view(resource));
  };
}
// The cursor for the item after which the next page starts.
template <class T>
std::string next_cursor(const store::Page<T>& page) {
  if (page.items.empty()) return "";
  return store::encode_cursor({page.items.back().created_at, page.items.back().id});
}
// The ID in a path must look like one of ours; anything else is simply not found.
const std::string& path_id(const http::Request& request, const std::string& name,
                           std::string_view prefix);

void register_system_routes(Routes& routes);
void register_auth_routes(Routes& routes);
void register_user_routes(Routes& routes);
void register_api_key_routes(Routes& routes);
void register_audit_routes(Routes& routes);
void register_event_routes(Routes& routes);
void register_webhook_routes(Routes& routes);
void register_number_routes(Routes& routes);
void register_sip_credential_routes(Routes& routes);
void register_admin_routes(Routes& routes);

inline void register_all(Routes& routes) {
  register_system_routes(routes);
  register_auth_routes(routes);
  register_user_routes(routes);
  register_api_key_routes(routes);
  register_audit_routes(routes);
  register_event_routes(routes);
  register_webhook_routes(routes);
  register_number_routes(routes);
  register_sip_credential_routes(routes);
  register_admin_routes(routes);
}

}  // namespace irisx::api
