#include "webhooks/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/id.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "webhooks/deliveries.hpp"
#include "webhooks/endpoints.hpp"
#include "webhooks/signing.hpp"

namespace irisx::webhooks {

namespace asio = boost::asio;
using std::chrono::milliseconds;

std::vector<milliseconds> default_retry_schedule() {
  using namespace std::chrono_literals;
  return {5s, 5min, 30min, 2h, 5h, 10h, 10h};
}

struct DeliveryWorker::Target {
  std::string delivery_id;
  std::string status;
  std::optional<std::int64_t> next_attempt_at;
  std::int64_t attempts = 0;
  events::Event event;
  std::optional<Endpoint> endpoint;  // none once deleted
  std::string secret_sealed;
  std::optional<std::string> previous_secret_sealed;
  std::optional<std::string> url;  // a status callback's own URL
};

struct DeliveryWorker::Outcome {
  int status_code = 0;
  std::int64_t duration_ms = 0;
  std::string excerpt;
  std::string error;
};

namespace {

auto logger() {
  static auto log = log::get("webhooks");
  return log;
}

// Response bodies are whatever the receiver sent; the store keeps text, so only printable
// ASCII survives (anything else shows as '?').
std::string printable_excerpt(std::string_view body) {
  std::string out(body.substr(0, 1024));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u >= 0x7f) c = '?';
  }
  return out;
}

store::Value nullable(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

// Keeps the per-endpoint count of requests in flight true on every path out of an attempt.
class EndpointSlot {
 public:
  EndpointSlot(std::map<std::string, int>& counts, std::string id)
      : counts_(counts), id_(std::move(id)) {
    ++counts_[id_];
  }
  ~EndpointSlot() {
    if (--counts_[id_] <= 0) counts_.erase(id_);
  }
  EndpointSlot(const EndpointSlot&) = delete;
  EndpointSlot& operator=(const EndpointSlot&) = delete;

 private:
  std::map<std::string, int>& counts_;
  std::string id_;
};

}  // namespace

DeliveryWorker::DeliveryWorker(store::Database& db, bus::Bus& bus, net::HttpClient& http,
                               events::Publisher& publisher, std::string data_key,
                               DeliverySettings settings)
    : db_(db),
      bus_(bus),
      http_(http),
      publisher_(publisher),
      data_key_(std::move(data_key)),
      settings_(std::move(settings)) {}

void DeliveryWorker::stop() {
  stopping_ = true;
  idle_wake();
}

int DeliveryWorker::in_flight_to(const std::string& endpoint_id) const {
  auto it = per_endpoint_.find(endpoint_id);
  return it == per_endpoint_.end() ? 0 : it->second;
}

void DeliveryWorker::idle_wake() {
  if (wake_) wake_->cancel();
}

asio::awaitable<void> DeliveryWorker::run() {
  auto executor = co_await asio::this_coro::executor;
  wake_.emplace(executor);
  boost::system::error_code ec;
  while (!stopping_) {
    const int room = settings_.max_in_flight - in_flight_;
    if (room <= 0) {
      wake_->expires_after(std::chrono::seconds(1));
      co_await wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::vector<bus::Delivery> jobs;
    bool failed = false;
    try {
      jobs = co_await bus_.fetch(kDeliveryConsumer, room, milliseconds(500));
    } catch (const std::exception& e) {
      logger()->warn("fetching delivery jobs failed: {}", e.what());
      failed = true;
    }
    if (failed) {
      wake_->expires_after(std::chrono::seconds(1));
      co_await wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    for (auto& job : jobs) {
      ++in_flight_;
      asio::co_spawn(executor, handle(std::move(job)), asio::detached);
    }
  }
  // SIGTERM: what was fetched is finished (each attempt is bounded by the timeout).
  while (in_flight_ > 0) {
    wake_->expires_after(milliseconds(50));
    co_await wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> DeliveryWorker::handle(bus::Delivery job) {
  bool failed = false;
  try {
    auto parsed = parse_job(job.message.payload);
    std::optional<Target> target;
    if (parsed) target = co_await load(parsed->delivery_id, parsed->tenant_id);
    const std::int64_t now = now_ms();
    if (!parsed) {
      co_await bus_.dead_letter(job, "not a webhook delivery job");
    } else if (!target || target->status != "pending") {
      co_await bus_.ack(job);  // finished or gone: a duplicate job has nothing left to do
    } else if (!target->endpoint || !target->endpoint->enabled) {
      const std::string reason =
          target->endpoint ? "the endpoint is disabled" : "the endpoint was deleted";
      co_await db_.exec(
          "UPDATE webhook_deliveries SET status = 'failed', last_error = $2, lease_until = NULL, "
          "updated_at = $3 WHERE id = $1 AND status = 'pending'",
          store::args(target->delivery_id, reason, now));
      co_await bus_.ack(job);
    } else if (target->next_attempt_at && *target->next_attempt_at > now + 50) {
      co_await bus_.retry(job, milliseconds(*target->next_attempt_at - now));
    } else if (in_flight_to(target->endpoint->id) >= settings_.max_in_flight_per_endpoint) {
      co_await bus_.retry(job, milliseconds(200));
    } else {
      // Taken before the claim's co_await, so that jobs handled meanwhile count this one.
      EndpointSlot slot(per_endpoint_, target->endpoint->id);
      if (auto attempts = co_await claim(*target, now); !attempts) {
        co_await bus_.ack(job);  // another worker holds this delivery's lease
      } else {
        target->attempts = *attempts;
        co_await attempt(std::move(job), std::move(*target));
      }
    }
  } catch (const std::exception& e) {
    logger()->warn("delivery job {} failed: {}", job.message.id, e.what());
    failed = true;
  }
  if (failed) {
    try {
      co_await bus_.retry(job, std::chrono::seconds(5));
    } catch (const std::exception&) {
      // The bus hands the job out again once its ack wait runs out.
    }
  }
  --in_flight_;
  idle_wake();
}

asio::awaitable<std::optional<DeliveryWorker::Target>> DeliveryWorker::load(std::string delivery_id,
                                                                            std::string tenant_id) {
  store::Result r = co_await db_.exec(
      "SELECT d.status, d.next_attempt_at, d.attempts, ev.id, ev.tenant_id, ev.type, ev.data, "
      "ev.created_at, w.secret_sealed, w.previous_secret_sealed, d.url, " +
          endpoint_columns("w.") +
          " FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id "
          "LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id "
          "WHERE d.id = $1 AND d.tenant_id = $2",
      store::args(delivery_id, tenant_id));
  if (r.empty()) co_return std::nullopt;
  const store::Row& row = r.front();
  Target t;
  t.delivery_id = delivery_id;
  t.status = row.text(0);
  t.next_attempt_at = row.opt_int64(1);
  t.attempts = row.int64(2);
  t.event = {row.text(3), row.text(4), row.text(5), row.text(6), row.int64(7)};
  if (!row.is_null(8)) {
    t.secret_sealed = row.text(8);
    t.previous_secret_sealed = row.opt_text(9);
    t.endpoint = endpoint_from_row(row, 11);
  }
  t.url = row.opt_text(10);
  co_return t;
}

asio::awaitable<std::optional<std::int64_t>> DeliveryWorker::claim(const Target& target,
                                                                   std::int64_t now) {
  // The lease outlives the request, so a duplicate job for the same delivery cannot start a
  // second attempt while this one runs; it lapses if this worker dies.
  const std::int64_t lease_until = now + settings_.timeout.count() + 1000;
  store::Result r = co_await db_.exec(
      "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = $2, updated_at = $3 "
      "WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3) "
      "AND (next_attempt_at IS NULL OR next_attempt_at <= $4) RETURNING attempts",
      store::args(target.delivery_id, lease_until, now, now + 50));
  if (r.empty()) co_return std::nullopt;
  co_return r.front().int64(0);
}

std::vector<std::string> DeliveryWorker::secrets(const Target& target, std::int64_t now) const {
  std::vector<std::string> out;
  auto current = crypto::open_sealed(data_key_, target.secret_sealed);
  if (!current) throw std::runtime_error("webhook secret cannot be unsealed");
  out.push_back(std::move(*current));
  const auto& expires = target.endpoint->previous_secret_expires_at;
  if (target.previous_secret_sealed && expires && *expires > now) {
    if (auto previous = crypto::open_sealed(data_key_, *target.previous_secret_sealed)) {
      out.push_back(std::move(*previous));
    }
  }
  return out;
}

asio::awaitable<void> DeliveryWorker::attempt(bus::Delivery job, Target target) {
  const std::int64_t now = now_ms();
  const std::string body = events::envelope_text(target.event);
  net::HttpRequest request;
  request.url = target.url.value_or(target.endpoint->url);
  request.body = body;
  request.timeout = settings_.timeout;
  request.max_response_bytes = 1024;
  request.headers = {{"Content-Type", "application/json"},
                     {"webhook-id", target.event.id},
                     {"webhook-timestamp", std::to_string(now / 1000)},
                     {"webhook-signature",
                      signature_header(secrets(target, now), target.event.id, now / 1000, body)}};
  net::HttpResponse response = co_await http_.send(std::move(request));
  Outcome outcome{response.status, response.duration.count(), printable_excerpt(response.body),
                  response.error};
  if (outcome.error.empty() && (outcome.status_code < 200 || outcome.status_code > 299)) {
    outcome.error = "HTTP " + std::to_string(outcome.status_code);
  }
  co_await finish(std::move(job), target, std::move(outcome));
}

asio::awaitable<void> DeliveryWorker::disable(store::Session& tx, const Target& target,
                                              std::string reason) {
  store::Result r = co_await tx.exec(
      std::string("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $2, updated_at = "
                  "$3 WHERE id = $1 AND enabled = 1 RETURNING ") +
          endpoint_columns(""),
      store::args(target.endpoint->id, reason, now_ms()));
  if (r.empty()) co_return;
  logger()->info("webhook {} disabled: {}", target.endpoint->id, reason);
  co_await publisher_.record(tx, target.event.tenant_id, "webhook.disabled",
                             to_json(endpoint_from_row(r.front())));
}

asio::awaitable<void> DeliveryWorker::finish(bus::Delivery job, const Target& target,
                                             Outcome outcome) {
  const std::int64_t now = now_ms();
  const bool ok = outcome.error.empty();
  // The callbacks endpoint stands for many URLs that are not the tenant's endpoint: one URL
  // failing (even with 410) fails only its delivery, never disables anything.
  const bool callback = target.endpoint->kind == "callbacks";
  const std::int64_t failing_since = target.endpoint->failing_since.value_or(now);
  std::optional<milliseconds> retry_after;
  std::string status = ok ? "succeeded" : "failed";
  std::string disable_reason;
  const bool gone = outcome.status_code == 410;
  if (!ok && gone && !callback) {
    disable_reason = "the endpoint answered 410 Gone";
  } else if (!ok && !callback && now - failing_since >= settings_.disable_after.count()) {
    disable_reason = "deliveries failed without a break since " + rfc3339(failing_since);
  } else if (!ok && !gone &&
             target.attempts <= static_cast<std::int64_t>(settings_.retry_schedule.size())) {
    retry_after = settings_.retry_schedule[static_cast<std::size_t>(target.attempts - 1)];
    status = "pending";
  }
  // Every statement's parameters are built before its co_await: g++ 12 mishandles temporaries
  // with conditional lifetimes (?: of variants) inside co_await expressions.
  const store::Value status_code = outcome.status_code > 0
                                       ? store::Value(std::int64_t(outcome.status_code))
                                       : store::Value(nullptr);
  const store::Value next_attempt =
      retry_after ? store::Value(now + retry_after->count()) : store::Value(nullptr);
  store::Params attempt_row = store::args(new_id("WA"), target.delivery_id, target.event.tenant_id,
                                          target.attempts, status_code, outcome.duration_ms,
                                          nullable(outcome.excerpt), nullable(outcome.error), now);
  store::Params delivery_row = store::args(target.delivery_id, status, next_attempt, status_code,
                                           nullable(outcome.error), now);
  store::Params streak =
      ok ? store::args(target.endpoint->id) : store::args(target.endpoint->id, now);
  const char* streak_sql =
      ok ? "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS "
           "NOT NULL"
         : "UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since IS "
           "NULL";
  bool settled = false;
  co_await db_.transaction([&](store::Session& tx) -> asio::awaitable<void> {
    tx.defer(
        "INSERT INTO webhook_attempts (id, delivery_id, tenant_id, attempt, status_code, "
        "duration_ms, response_excerpt, error, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        attempt_row);
    tx.defer(
        "UPDATE webhook_deliveries SET status = $2, lease_until = NULL, next_attempt_at = $3, "
        "last_status_code = $4, last_error = $5, updated_at = $6 WHERE id = $1",
        delivery_row);
    if (!callback) tx.defer(streak_sql, streak);
    if (!disable_reason.empty()) co_await disable(tx, target, disable_reason);
    // The job settles in the same commit as the attempt it caused, where the bus allows.
    if (retry_after) {
      settled = co_await bus_.retry_in(tx, job, *retry_after);
    } else {
      settled = co_await bus_.ack_in(tx, job);
    }
  });
  if (settled) co_return;
  if (retry_after) {
    co_await bus_.retry(std::move(job), *retry_after);
  } else {
    co_await bus_.ack(std::move(job));
  }
}

}  // namespace irisx::webhooks
