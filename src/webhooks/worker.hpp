#pragma once
// The delivery worker: takes jobs from the bus's webhook-deliveries consumer and POSTs each
// event to its endpoint, signed. Success is any 2xx; 410 Gone disables the endpoint; other
// failures are retried on a schedule, and an endpoint failing without a break for
// `disable_after` is disabled (with a webhook.disabled event). In-flight requests are bounded
// overall and per endpoint, so one slow endpoint never holds up the others.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "events/events.hpp"
#include "net/http_client.hpp"
#include "store/database.hpp"

namespace irisx::webhooks {

struct DeliverySettings {
  std::vector<std::chrono::milliseconds> retry_schedule;  // wait before attempt 2, 3, …
  std::chrono::milliseconds timeout{15000};
  std::chrono::milliseconds disable_after{5LL * 24 * 3600 * 1000};
  int max_in_flight = 256;
  int max_in_flight_per_endpoint = 64;
};

// Standard retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
std::vector<std::chrono::milliseconds> default_retry_schedule();

class DeliveryWorker {
 public:
  DeliveryWorker(store::Database& db, bus::Bus& bus, net::HttpClient& http,
                 events::Publisher& publisher, std::string data_key, DeliverySettings settings);

  // Fetches and delivers until stop(); then waits for the attempts in flight to finish.
  boost::asio::awaitable<void> run();
  void stop();

 private:
  struct Target;
  struct Outcome;

  boost::asio::awaitable<void> handle(bus::Delivery job);
  boost::asio::awaitable<void> attempt(bus::Delivery job, Target target);
  boost::asio::awaitable<std::optional<Target>> load(std::string delivery_id,
                                                     std::string tenant_id);
  boost::asio::awaitable<std::optional<std::int64_t>> claim(const Target& target, std::int64_t now);
  boost::asio::awaitable<void> finish(bus::Delivery job, const Target& target, Outcome outcome);
  boost::asio::awaitable<void> disable(store::Session& tx, const Target& target,
                                       std::string reason);
  std::vector<std::string> secrets(const Target& target, std::int64_t now) const;
  void idle_wake();
  int in_flight_to(const std::string& endpoint_id) const;

  store::Database& db_;
  bus::Bus& bus_;
  net::HttpClient& http_;
  events::Publisher& publisher_;
  std::string data_key_;
  DeliverySettings settings_;
  bool stopping_ = false;
  int in_flight_ = 0;
  std::map<std::string, int> per_endpoint_;
  std::optional<boost::asio::steady_timer> wake_;
};

}  // namespace irisx::webhooks
