#pragma once
// Webhook endpoints: a tenant's URLs that receive signed event deliveries. Secrets are shown
// once, kept sealed (AES-256-GCM) because signing needs them in the clear; a rotated-out
// secret keeps signing for 24 h so receivers can switch without dropping deliveries.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/principal.hpp"
#include "net/address_policy.hpp"
#include "store/database.hpp"
#include "store/pagination.hpp"
#include "webhooks/deliveries.hpp"

namespace irisx::webhooks {

struct Endpoint {
  std::string id;  // WH…
  std::string tenant_id;
  std::string url;
  std::string description;
  std::vector<std::string> events;
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  std::optional<std::int64_t> failing_since;
  std::optional<std::int64_t> previous_secret_expires_at;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  // "events": one of the tenant's endpoints; "callbacks": the hidden one per tenant whose
  // secret signs status callbacks (callbacks.hpp). Only "events" endpoints are listed,
  // subscribed or disabled.
  std::string kind = "events";
};

struct NewEndpoint {
  std::string url;
  std::vector<std::string> events;
  std::string description;
  bool enabled = true;
};

struct EndpointChanges {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<std::string> description;
  std::optional<bool> enabled;
};

struct EndpointWithSecret {
  Endpoint endpoint;
  std::string secret;  // whsec_…, shown once
};

nlohmann::json to_json(const Endpoint& endpoint);

// Store columns of an endpoint (each after `prefix`, e.g. "w."), in the order endpoint_from_row
// reads them from `first`.
std::string endpoint_columns(std::string_view prefix);
Endpoint endpoint_from_row(const store::Row& row, std::size_t first = 0);

// In the caller's transaction: `sealed` becomes the endpoint's secret and the current one keeps
// signing for 24 h; returns when that overlap ends.
boost::asio::awaitable<std::int64_t> rotate_sealed_secret(store::Session& tx, std::string tenant_id,
                                                          std::string id, std::string sealed);

class EndpointService {
 public:
  EndpointService(store::Database& db, events::Publisher& publisher, DeliveryQueue& queue,
                  std::string data_key, net::AddressPolicy policy);

  boost::asio::awaitable<EndpointWithSecret> create(identity::Principal actor, NewEndpoint input,
                                                    identity::AuditContext audit);
  boost::asio::awaitable<store::Page<Endpoint>> list(std::string tenant_id,
                                                     store::PageRequest page);
  // An "events" endpoint; with `include_callbacks`, the tenant's callbacks endpoint too (its
  // delivery log is readable like any other).
  boost::asio::awaitable<Endpoint> require(std::string tenant_id, std::string id,
                                           bool include_callbacks = false);
  boost::asio::awaitable<Endpoint> update(identity::Principal actor, std::string id,
                                          EndpointChanges changes, identity::AuditContext audit);
  boost::asio::awaitable<void> remove(identity::Principal actor, std::string id,
                                      identity::AuditContext audit);
  boost::asio::awaitable<EndpointWithSecret> rotate_secret(identity::Principal actor,
                                                           std::string id,
                                                           identity::AuditContext audit);
  // Sends a webhook.test event to this endpoint alone.
  boost::asio::awaitable<Delivery> send_test(identity::Principal actor, std::string id);

  // 422 on `field` unless `url` is an http(s) URL whose host resolves to permitted addresses
  // only (the SSRF guard, net::url_problem with the configured policy).
  boost::asio::awaitable<void> check_url(std::string url, std::string field = "url");

 private:
  boost::asio::awaitable<void> record_change(store::Session& tx,
                                             const identity::AuditContext& audit,
                                             const Endpoint& endpoint, std::string type);

  store::Database& db_;
  events::Publisher& publisher_;
  DeliveryQueue& queue_;
  std::string data_key_;
  net::AddressPolicy policy_;
  boost::asio::thread_pool resolver_{1};  // getaddrinfo blocks; keep it off the I/O threads
};

}  // namespace irisx::webhooks
