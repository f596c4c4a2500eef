#pragma once
// Webhook deliveries: one per (event, endpoint), each with its log of attempts. A delivery is
// created in the event's own transaction together with its job on the bus's WEBHOOKS stream,
// so an accepted event is never lost between the store and the queue.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bus/bus.hpp"
#include "events/events.hpp"
#include "store/database.hpp"
#include "store/pagination.hpp"

namespace irisx::webhooks {

struct Attempt {
  int attempt = 0;
  std::optional<std::int64_t> status_code;
  std::int64_t duration_ms = 0;
  std::optional<std::string> response_excerpt;  // first 1 KiB of the response body
  std::optional<std::string> error;
  std::int64_t created_at = 0;
};

struct Delivery {
  std::string id;  // WD…
  std::string tenant_id;
  std::string endpoint_id;
  std::string event_id;
  std::string event_type;
  std::string status;  // pending | succeeded | failed
  std::int64_t attempts = 0;
  std::optional<std::int64_t> next_attempt_at;
  std::optional<std::int64_t> last_status_code;
  std::optional<std::string> last_error;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::vector<Attempt> log;
  std::optional<std::string> url;  // a status callback's own URL; none: the endpoint's
};

nlohmann::json to_json(const Delivery& delivery);

// The durable consumer that the delivery workers share.
inline constexpr const char* kDeliveryConsumer = "webhook-deliveries";
bus::ConsumerSpec delivery_consumer(std::chrono::milliseconds ack_wait);

// What a delivery job on the bus carries.
struct DeliveryJob {
  std::string delivery_id;
  std::string tenant_id;
};
std::optional<DeliveryJob> parse_job(const std::string& payload);

// Deletes finished deliveries (and their attempts) created before `before_ms`, at most `limit` of
// them; returns how many went. Pending ones stay: a delivery is never dropped while it may
// still be attempted.
boost::asio::awaitable<std::int64_t> purge_deliveries(store::Database& db, std::int64_t before_ms,
                                                      int limit);

class DeliveryQueue {
 public:
  DeliveryQueue(store::Database& db, bus::Bus& bus) : db_(db), bus_(bus) {}

  // In the event's transaction: one delivery per enabled endpoint of the tenant subscribed to it,
  // made by a commit step (store::CommitStep), so that PostgreSQL's group commit looks up the
  // endpoints once for all the events of a batch.
  void fan_out(store::Session& tx, const events::Event& event);
  // One delivery of `event` to one endpoint (at `url` when given, signed with the endpoint's
  // secret), in the caller's transaction.
  boost::asio::awaitable<Delivery> enqueue(store::Session& tx, std::string endpoint_id,
                                           const events::Event& event,
                                           std::optional<std::string> url = std::nullopt);

  boost::asio::awaitable<store::Page<Delivery>> list(std::string tenant_id, std::string endpoint_id,
                                                     store::PageRequest page);
  boost::asio::awaitable<std::optional<Delivery>> get(std::string tenant_id, std::string id);
  // Makes a finished (or waiting) delivery due now, with a fresh job on the bus.
  boost::asio::awaitable<Delivery> retry(std::string tenant_id, std::string id);

 private:
  class FanOutStep;
  boost::asio::awaitable<void> fan_out_all(store::Session& tx, std::vector<events::Event> events);
  // In the caller's transaction: the deliveries' rows and their jobs on the bus.
  boost::asio::awaitable<void> insert_all(store::Session& tx, std::vector<Delivery> deliveries);
  boost::asio::awaitable<void> attach_attempts(std::vector<Delivery>& deliveries);

  store::Database& db_;
  bus::Bus& bus_;
};

}  // namespace irisx::webhooks
