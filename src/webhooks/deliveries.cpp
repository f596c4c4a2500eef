#include "webhooks/deliveries.hpp"

#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "common/error.hpp"
#include "common/id.hpp"
#include "common/json_view.hpp"
#include "common/time.hpp"
#include "webhooks/subscription.hpp"

namespace irisx::webhooks {
namespace {

const char* const kColumns =
    "d.id, d.tenant_id, d.endpoint_id, d.event_id, e.type, d.status, d.attempts, "
    "d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at, d.url";
const char* const kFrom = " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id";

Delivery delivery_from_row(const store::Row& r) {
  return {r.text(0),  r.text(1),      r.text(2),      r.text(3),     r.text(4),   r.text(5),
          r.int64(6), r.opt_int64(7), r.opt_int64(8), r.opt_text(9), r.int64(10), r.int64(11),
          {},         r.opt_text(12)};
}

std::string job_subject(std::string_view event_type) {
  return "events.webhooks." + events::subject_token(event_type);
}

bus::Message job_message(std::string message_id, const Delivery& delivery) {
  nlohmann::json job = {{"delivery_id", delivery.id}, {"tenant_id", delivery.tenant_id}};
  return {std::move(message_id), job_subject(delivery.event_type), job.dump()};
}

Delivery new_delivery(std::string endpoint_id, const events::Event& event,
                      std::optional<std::string> url) {
  const std::int64_t now = now_ms();
  return {new_id("WD"),
          event.tenant_id,
          std::move(endpoint_id),
          event.id,
          event.type,
          "pending",
          0,
          std::nullopt,
          std::nullopt,
          std::nullopt,
          now,
          now,
          {},
          std::move(url)};
}

}  // namespace

nlohmann::json to_json(const Delivery& d) {
  nlohmann::json attempts = nlohmann::json::array();
  for (const auto& a : d.log) {
    attempts.push_back({{"attempt", a.attempt},
                        {"status_code", json_or_null(a.status_code)},
                        {"duration_ms", a.duration_ms},
                        {"response_body", json_or_null(a.response_excerpt)},
                        {"error", json_or_null(a.error)},
                        {"created_at", rfc3339(a.created_at)}});
  }
  return {{"id", d.id},
          {"object", "webhook_delivery"},
          {"webhook_id", d.endpoint_id},
          {"url", json_or_null(d.url)},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"status", d.status},
          {"attempt_count", d.attempts},
          {"next_attempt_at", time_or_null(d.next_attempt_at)},
          {"last_status_code", json_or_null(d.last_status_code)},
          {"last_error", json_or_null(d.last_error)},
          {"attempts", std::move(attempts)},
          {"created_at", rfc3339(d.created_at)},
          {"updated_at", rfc3339(d.updated_at)}};
}

bus::ConsumerSpec delivery_consumer(std::chrono::milliseconds ack_wait) {
  // Attempts are counted in the delivery row, which owns the retry schedule; the bus only has
  // to keep handing the job out until the row says it is finished.
  return {kDeliveryConsumer, "WEBHOOKS", "events.webhooks.*", -1, ack_wait};
}

std::optional<DeliveryJob> parse_job(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto id = j.find("delivery_id");
  auto tenant = j.find("tenant_id");
  if (id == j.end() || tenant == j.end() || !id->is_string() || !tenant->is_string()) {
    return std::nullopt;
  }
  return DeliveryJob{id->get<std::string>(), tenant->get<std::string>()};
}

boost::asio::awaitable<void> DeliveryQueue::insert_all(store::Session& tx,
                                                       std::vector<Delivery> deliveries) {
  if (deliveries.empty()) co_return;
  store::Params params;
  std::vector<bus::Message> jobs;
  for (const Delivery& d : deliveries) {
    store::Params row =
        store::args(d.id, d.tenant_id, d.endpoint_id, d.event_id, d.created_at, d.url);
    std::move(row.begin(), row.end(), std::back_inserter(params));
    jobs.push_back(job_message(d.id, d));
  }
  store::insert_rows(tx,
                     "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, "
                     "status, attempts, created_at, updated_at, url) VALUES ",
                     "($1, $2, $3, $4, 'pending', 0, $5, $5, $6)", 6, std::move(params));
  co_await bus_.publish_all(tx, std::move(jobs));
}

class DeliveryQueue::FanOutStep final : public store::CommitStep {
 public:
  FanOutStep(DeliveryQueue& queue, events::Event event) : queue_(queue) {
    events_.push_back(std::move(event));
  }
  const void* merge_key() const override { return &queue_; }
  void merge(store::CommitStep& other) override {
    auto& more = static_cast<FanOutStep&>(other).events_;
    std::move(more.begin(), more.end(), std::back_inserter(events_));
    more.clear();
  }
  boost::asio::awaitable<void> run(store::Session& tx) override {
    co_await queue_.fan_out_all(tx, std::move(events_));
  }

 private:
  DeliveryQueue& queue_;
  std::vector<events::Event> events_;
};

void DeliveryQueue::fan_out(store::Session& tx, const events::Event& event) {
  tx.before_commit(std::make_unique<FanOutStep>(*this, event));
}

boost::asio::awaitable<void> DeliveryQueue::fan_out_all(store::Session& tx,
                                                        std::vector<events::Event> events) {
  std::set<std::string> tenants;
  for (const auto& e : events) tenants.insert(e.tenant_id);
  store::Params params(tenants.begin(), tenants.end());
  store::Result endpoints = co_await tx.exec(
      "SELECT tenant_id, id, events FROM webhook_endpoints WHERE tenant_id IN (" +
          store::placeholders(1, params.size()) + ") AND enabled = 1 AND kind = 'events'",
      std::move(params));
  struct Subscriber {
    std::string id;
    std::vector<std::string> patterns;
  };
  std::map<std::string, std::vector<Subscriber>> by_tenant;
  for (const auto& row : endpoints.rows) {
    auto patterns = nlohmann::json::parse(row.text(2), nullptr, false);
    if (!patterns.is_array()) continue;
    by_tenant[row.text(0)].push_back({row.text(1), patterns.get<std::vector<std::string>>()});
  }
  std::vector<Delivery> deliveries;
  for (const auto& event : events) {
    auto subscribers = by_tenant.find(event.tenant_id);
    if (subscribers == by_tenant.end()) continue;
    for (const Subscriber& s : subscribers->second) {
      if (subscribed(s.patterns, event.type)) {
        deliveries.push_back(new_delivery(s.id, event, std::nullopt));
      }
    }
  }
  // Every subscribed endpoint's delivery and job in one INSERT each.
  co_await insert_all(tx, std::move(deliveries));
}

boost::asio::awaitable<Delivery> DeliveryQueue::enqueue(store::Session& tx, std::string endpoint_id,
                                                        const events::Event& event,
                                                        std::optional<std::string> url) {
  Delivery d = new_delivery(std::move(endpoint_id), event, std::move(url));
  std::vector<Delivery> one;
  one.push_back(d);
  co_await insert_all(tx, std::move(one));
  co_return d;
}

boost::asio::awaitable<void> DeliveryQueue::attach_attempts(std::vector<Delivery>& deliveries) {
  if (deliveries.empty()) co_return;
  std::string sql =
      "SELECT delivery_id, attempt, status_code, duration_ms, response_excerpt, error, created_at "
      "FROM webhook_attempts WHERE delivery_id IN (";
  store::Params params;
  std::map<std::string, Delivery*> by_id;
  for (auto& d : deliveries) {
    sql += (params.empty() ? "$" : ", $") + std::to_string(params.size() + 1);
    params.emplace_back(d.id);
    by_id[d.id] = &d;
  }
  sql += ") ORDER BY delivery_id, attempt";
  store::Result r = co_await db_.exec(sql, params);
  for (const auto& row : r.rows) {
    by_id[row.text(0)]->log.push_back({static_cast<int>(row.int64(1)), row.opt_int64(2),
                                       row.int64(3), row.opt_text(4), row.opt_text(5),
                                       row.int64(6)});
  }
}

boost::asio::awaitable<store::Page<Delivery>> DeliveryQueue::list(std::string tenant_id,
                                                                  std::string endpoint_id,
                                                                  store::PageRequest page) {
  std::string sql =
      std::string("SELECT ") + kColumns + kFrom + " WHERE d.tenant_id = $1 AND d.endpoint_id = $2";
  store::Params params = store::args(tenant_id, endpoint_id);
  store::append_page_clause(sql, params, page, "d.");
  store::Result r = co_await db_.exec(sql, params);
  std::vector<Delivery> rows;
  for (const auto& row : r.rows) rows.push_back(delivery_from_row(row));
  auto out = store::to_page(std::move(rows), page.limit);
  co_await attach_attempts(out.items);
  co_return out;
}

boost::asio::awaitable<std::optional<Delivery>> DeliveryQueue::get(std::string tenant_id,
                                                                   std::string id) {
  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kColumns + kFrom + " WHERE d.id = $1 AND d.tenant_id = $2",
      store::args(id, tenant_id));
  if (r.empty()) co_return std::nullopt;
  std::vector<Delivery> one{delivery_from_row(r.front())};
  co_await attach_attempts(one);
  co_return std::move(one.front());
}

boost::asio::awaitable<Delivery> DeliveryQueue::retry(std::string tenant_id, std::string id) {
  auto delivery = co_await get(tenant_id, id);
  if (!delivery) throw not_found("no such webhook delivery");
  const std::int64_t now = now_ms();
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    // A worker fails a job for a disabled or deleted endpoint at once: say so instead of
    // answering "pending" for an attempt that will never be made.
    store::Result endpoint =
        co_await tx.exec("SELECT enabled FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2",
                         store::args(delivery->endpoint_id, tenant_id));
    if (endpoint.empty()) {
      throw conflict("webhook_deleted", "the webhook of this delivery was deleted");
    }
    if (endpoint.front().int64(0) == 0) {
      throw conflict("webhook_disabled",
                     "the webhook of this delivery is disabled; enable it first (PATCH "
                     "/v1/webhooks/{id} {\"enabled\": true})");
    }
    co_await tx.exec(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = NULL, "
        "updated_at = $3 WHERE id = $1 AND tenant_id = $2",
        store::args(id, tenant_id, now));
    bus::Message job = job_message(new_id("WR"), *delivery);
    co_await bus_.publish(tx, std::move(job));
  });
  delivery->status = "pending";
  delivery->next_attempt_at = std::nullopt;
  delivery->updated_at = now;
  co_return *delivery;
}

boost::asio::awaitable<std::int64_t> purge_deliveries(store::Database& db, std::int64_t before_ms,
                                                      int limit) {
  std::int64_t purged = 0;
  co_await db.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result old = co_await tx.exec(
        "SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status <> 'pending' LIMIT $2",
        store::args(before_ms, limit));
    if (old.empty()) co_return;
    store::Params ids;
    for (const auto& row : old.rows) ids.emplace_back(row.text(0));
    const std::string in = "(" + store::placeholders(1, ids.size()) + ")";
    co_await tx.exec("DELETE FROM webhook_attempts WHERE delivery_id IN " + in, ids);
    store::Result gone = co_await tx.exec("DELETE FROM webhook_deliveries WHERE id IN " + in, ids);
    purged = gone.affected_rows;
  });
  co_return purged;
}

}  // namespace irisx::webhooks
