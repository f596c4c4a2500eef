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
#include "common/metrics.hpp"
#include "events/events.hpp"
#include "net/http_client.hpp"
#include "store/database.hpp"
#include "webhooks/attempt_plan.hpp"
#include "webhooks/deliveries.hpp"

namespace irisx::webhooks {

struct DeliverySettings {
  std::vector<std::chrono::milliseconds> retry_schedule;  // wait before attempt 2, 3, …
  std::chrono::milliseconds timeout{15000};
  std::chrono::milliseconds disable_after{5LL * 24 * 3600 * 1000};
  int max_in_flight = 256;
  int max_in_flight_per_endpoint = 64;
};

// Standard retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.

class DeliveryWorker {
 public:
  // Counts attempts in `metrics` as irisx_webhook_attempts_total{result="succeeded"|"failed"}.
  DeliveryWorker(store::Database& db, bus::Bus& bus, net::HttpClient& http,
                 events::Publisher& publisher, std::string data_key, DeliverySettings settings,
                 metrics::Registry& metrics);

  // Fetches and delivers until stop(); then waits for the attempts in flight to finish.
  boost::asio::awaitable<void> run();
  void stop();

 private:
  struct Loaded {
    bool is_job = false;  // the payload is a delivery job
    std::optional<DeliveryTarget> target;
  };
  // Why a fetched job is settled without an attempt.
  struct Skip {
    enum class Kind { none, dead_letter, ack, fail, wait, later };
    explicit Skip(Kind k, std::chrono::milliseconds d = {}, std::string r = {})
        : kind(k), delay(d), reason(std::move(r)) {}
    Kind kind;
    std::chrono::milliseconds delay;  // wait
    std::string reason;               // fail
  };
  struct Settlement;

  // One fetched batch: its deliveries are loaded with one statement and claimed with another,
  // then each claimed one is attempted on its own coroutine.
  boost::asio::awaitable<void> take(std::vector<bus::Delivery> jobs);
  boost::asio::awaitable<std::vector<Loaded>> load(std::vector<std::optional<DeliveryJob>> keys);
  Skip skip_reason(const Loaded& loaded, std::int64_t now) const;
  boost::asio::awaitable<void> settle_skipped(bus::Delivery job,
                                              std::optional<DeliveryTarget> target, Skip skip);
  boost::asio::awaitable<std::map<std::string, std::int64_t>> claim(
      std::vector<std::string> delivery_ids, std::int64_t now);
  boost::asio::awaitable<void> attempt_and_release(bus::Delivery job, DeliveryTarget target);
  // After a failure: the job comes back in 5 s (or after its ack wait if even that fails).
  boost::asio::awaitable<void> give_back(bus::Delivery job);
  boost::asio::awaitable<void> attempt(bus::Delivery job, DeliveryTarget target);
  std::vector<std::string> secrets(const DeliveryTarget& target, std::int64_t now) const;

  // worker_settle.cpp. An attempt's outcome is committed together with those of the attempts
  // that finished while the previous outcomes were being committed: one transaction for them
  // all, as the SQLite writer batches transactions.
  boost::asio::awaitable<void> settle(bus::Delivery job, DeliveryTarget target,
                                      AttemptOutcome outcome);
  boost::asio::awaitable<void> settle_batch(std::vector<Settlement*> batch);
  boost::asio::awaitable<void> settle_alone(Settlement& s);
  // Built outside the coroutines: g++ 12 miscompiles some temporaries inside them.
  static std::vector<store::Statement> batch_writes(const std::vector<Settlement*>& batch);
  // Where the bus cannot settle inside a transaction (NATS), after its commit; never throws.
  boost::asio::awaitable<void> settle_on_bus(bus::Delivery job,
                                             std::optional<std::chrono::milliseconds> retry_after);
  boost::asio::awaitable<void> disable(store::Session& tx, const DeliveryTarget& target,
                                       std::string reason);

  void idle_wake();
  void job_done();
  int in_flight_to(const std::string& endpoint_id) const;
  void release_slot(const std::string& endpoint_id);

  store::Database& db_;
  bus::Bus& bus_;
  net::HttpClient& http_;
  events::Publisher& publisher_;
  std::string data_key_;
  DeliverySettings settings_;
  metrics::Counter& attempts_succeeded_;
  metrics::Counter& attempts_failed_;
  bool stopping_ = false;
  int in_flight_ = 0;
  std::map<std::string, int> per_endpoint_;
  std::optional<boost::asio::steady_timer> wake_;
  std::vector<Settlement*> unsettled_;
  bool settling_ = false;
};

}  // namespace irisx::webhooks
