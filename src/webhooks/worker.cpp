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

store::Params claim_params(std::int64_t lease_until, std::int64_t now,
                           std::vector<std::string> delivery_ids) {
  store::Params params = store::args(lease_until, now, now + 50);
  for (auto& id : delivery_ids) params.emplace_back(std::move(id));
  return params;
}

std::vector<std::optional<DeliveryJob>> job_keys(const std::vector<bus::Delivery>& jobs) {
  std::vector<std::optional<DeliveryJob>> keys;
  keys.reserve(jobs.size());
  for (const auto& job : jobs) keys.push_back(parse_job(job.message.payload));
  return keys;
}

constexpr std::string_view kAttemptsMetric = "irisx_webhook_attempts_total";
constexpr std::string_view kAttemptsHelp = "Webhook delivery attempts made by this process";

// Columns as DeliveryWorker::load selects them.
DeliveryTarget target_from_row(const store::Row& row) {
  DeliveryTarget t;
  t.delivery_id = row.text(0);
  t.tenant_id = row.text(1);
  t.status = row.text(2);
  t.next_attempt_at = row.opt_int64(3);
  t.attempts = row.int64(4);
  t.event = {row.text(5), row.text(6), row.text(7), row.text(8), row.int64(9)};
  if (!row.is_null(10)) {
    t.secret_sealed = row.text(10);
    t.previous_secret_sealed = row.opt_text(11);
    t.endpoint = endpoint_from_row(row, 13);
  }
  t.url = row.opt_text(12);
  return t;
}

}  // namespace

DeliveryWorker::DeliveryWorker(store::Database& db, bus::Bus& bus, net::HttpClient& http,
                               events::Publisher& publisher, std::string data_key,
                               DeliverySettings settings, metrics::Registry& metrics)
    : db_(db),
      bus_(bus),
      http_(http),
      publisher_(publisher),
      data_key_(std::move(data_key)),
      settings_(std::move(settings)),
      attempts_succeeded_(
          metrics.counter(kAttemptsMetric, kAttemptsHelp, {{"result", "succeeded"}})),
      attempts_failed_(metrics.counter(kAttemptsMetric, kAttemptsHelp, {{"result", "failed"}})) {}

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

void DeliveryWorker::release_slot(const std::string& endpoint_id) {
  auto it = per_endpoint_.find(endpoint_id);
  if (it != per_endpoint_.end() && --it->second <= 0) per_endpoint_.erase(it);
}

void DeliveryWorker::job_done() {
  --in_flight_;
  idle_wake();
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
    in_flight_ += static_cast<int>(jobs.size());
    if (!jobs.empty()) co_await take(std::move(jobs));
  }
  // SIGTERM: what was fetched is finished (each attempt is bounded by the timeout).
  while (in_flight_ > 0) {
    wake_->expires_after(milliseconds(50));
    co_await wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> DeliveryWorker::take(std::vector<bus::Delivery> jobs) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<Loaded> loaded;
  std::map<std::string, std::int64_t> claimed;
  std::vector<std::size_t> candidates;
  std::vector<bool> handed_off(jobs.size(), false);
  bool failed = false;
  try {
    loaded = co_await load(job_keys(jobs));
    const std::int64_t now = now_ms();
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const Skip skip = skip_reason(loaded[i], now);
      if (skip.kind != Skip::Kind::none) {
        handed_off[i] = true;
        asio::co_spawn(executor, settle_skipped(std::move(jobs[i]), loaded[i].target, skip),
                       asio::detached);
        continue;
      }
      // The slot is taken now, so that the next jobs of this batch count this one.
      ++per_endpoint_[loaded[i].target->endpoint->id];
      candidates.push_back(i);
      ids.push_back(loaded[i].target->delivery_id);
    }
    if (!ids.empty()) claimed = co_await claim(std::move(ids), now);
  } catch (const std::exception& e) {
    logger()->warn("taking {} delivery jobs failed: {}", jobs.size(), e.what());
    failed = true;
  }
  if (failed) {
    for (std::size_t i : candidates) release_slot(loaded[i].target->endpoint->id);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (handed_off[i]) continue;
      asio::co_spawn(executor,
                     settle_skipped(std::move(jobs[i]), std::nullopt, Skip(Skip::Kind::later)),
                     asio::detached);
    }
    co_return;
  }
  for (std::size_t i : candidates) {
    DeliveryTarget& target = *loaded[i].target;
    auto it = claimed.find(target.delivery_id);
    if (it == claimed.end()) {  // another worker holds this delivery's lease, or a duplicate job
      release_slot(target.endpoint->id);
      asio::co_spawn(executor,
                     settle_skipped(std::move(jobs[i]), std::nullopt, Skip(Skip::Kind::ack)),
                     asio::detached);
      continue;
    }
    target.attempts = it->second;
    claimed.erase(it);
    asio::co_spawn(executor, attempt_and_release(std::move(jobs[i]), std::move(target)),
                   asio::detached);
  }
}

DeliveryWorker::Skip DeliveryWorker::skip_reason(const Loaded& loaded, std::int64_t now) const {
  if (!loaded.is_job) return Skip(Skip::Kind::dead_letter);
  const auto& target = loaded.target;
  if (!target || target->status != "pending") return Skip(Skip::Kind::ack);  // finished or gone
  if (!target->endpoint || !target->endpoint->enabled) {
    return Skip(Skip::Kind::fail, {},
                target->endpoint ? "the endpoint is disabled" : "the endpoint was deleted");
  }
  if (target->next_attempt_at && *target->next_attempt_at > now + 50) {
    return Skip(Skip::Kind::wait, milliseconds(*target->next_attempt_at - now));
  }
  if (in_flight_to(target->endpoint->id) >= settings_.max_in_flight_per_endpoint) {
    return Skip(Skip::Kind::wait, milliseconds(200));
  }
  return Skip(Skip::Kind::none);
}

asio::awaitable<void> DeliveryWorker::settle_skipped(bus::Delivery job,
                                                     std::optional<DeliveryTarget> target,
                                                     Skip skip) {
  bool failed = false;
  try {
    switch (skip.kind) {
      case Skip::Kind::dead_letter:
        co_await bus_.dead_letter(job, "not a webhook delivery job");
        break;
      case Skip::Kind::ack:
        co_await bus_.ack(job);
        break;
      case Skip::Kind::fail:
        co_await db_.exec(
            "UPDATE webhook_deliveries SET status = 'failed', last_error = $2, lease_until = "
            "NULL, updated_at = $3 WHERE id = $1 AND status = 'pending'",
            store::args(target->delivery_id, skip.reason, now_ms()));
        co_await bus_.ack(job);
        break;
      case Skip::Kind::wait:
        co_await bus_.retry(job, skip.delay);
        break;
      case Skip::Kind::later:
      case Skip::Kind::none:
        failed = true;
        break;
    }
  } catch (const std::exception& e) {
    logger()->warn("delivery job {} failed: {}", job.message.id, e.what());
    failed = true;
  }
  if (failed) co_await give_back(job);
  job_done();
}

asio::awaitable<std::vector<DeliveryWorker::Loaded>> DeliveryWorker::load(
    std::vector<std::optional<DeliveryJob>> keys) {
  store::Params ids;
  for (const auto& key : keys) {
    if (key) ids.push_back(key->delivery_id);
  }
  std::map<std::string, DeliveryTarget> found;
  if (!ids.empty()) {
    const std::size_t n = ids.size();
    store::Result r = co_await db_.exec(
        "SELECT d.id, d.tenant_id, d.status, d.next_attempt_at, d.attempts, ev.id, ev.tenant_id, "
        "ev.type, ev.data, ev.created_at, w.secret_sealed, w.previous_secret_sealed, d.url, " +
            endpoint_columns("w.") +
            " FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id "
            "LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id IN (" +
            store::placeholders(1, n) + ")",
        std::move(ids));
    for (const store::Row& row : r.rows) found.emplace(row.text(0), target_from_row(row));
  }
  std::vector<Loaded> out(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i]) continue;
    out[i].is_job = true;
    auto it = found.find(keys[i]->delivery_id);
    // A job names its tenant: a delivery of another tenant is not its delivery.
    if (it != found.end() && it->second.tenant_id == keys[i]->tenant_id) out[i].target = it->second;
  }
  co_return out;
}

asio::awaitable<std::map<std::string, std::int64_t>> DeliveryWorker::claim(
    std::vector<std::string> delivery_ids, std::int64_t now) {
  // The lease outlives the request, so a duplicate job for the same delivery cannot start a
  // second attempt while this one runs; it lapses if this worker dies.
  const std::int64_t lease_until = now + settings_.timeout.count() + 1000;
  store::Params params = claim_params(lease_until, now, std::move(delivery_ids));
  store::Result r = co_await db_.exec(
      "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = $1, updated_at = $2 "
      "WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < $2) "
      "AND (next_attempt_at IS NULL OR next_attempt_at <= $3) AND id IN (" +
          store::placeholders(4, params.size() - 3) + ") RETURNING id, attempts",
      std::move(params));
  std::map<std::string, std::int64_t> out;
  for (const store::Row& row : r.rows) out.emplace(row.text(0), row.int64(1));
  co_return out;
}

std::vector<std::string> DeliveryWorker::secrets(const DeliveryTarget& target,
                                                 std::int64_t now) const {
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

asio::awaitable<void> DeliveryWorker::give_back(bus::Delivery job) {
  try {
    co_await bus_.retry(std::move(job), std::chrono::seconds(5));
  } catch (const std::exception&) {
    // The bus hands the job out again once its ack wait runs out.
  }
}

asio::awaitable<void> DeliveryWorker::attempt_and_release(bus::Delivery job,
                                                          DeliveryTarget target) {
  const std::string endpoint_id = target.endpoint->id;
  bool failed = false;
  try {
    co_await attempt(job, std::move(target));
  } catch (const std::exception& e) {
    logger()->warn("delivery job {} failed: {}", job.message.id, e.what());
    failed = true;
  }
  if (failed) co_await give_back(job);
  release_slot(endpoint_id);
  job_done();
}

asio::awaitable<void> DeliveryWorker::attempt(bus::Delivery job, DeliveryTarget target) {
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
  AttemptOutcome outcome{response.status, response.duration.count(),
                         printable_excerpt(response.body), response.error};
  if (outcome.error.empty() && (outcome.status_code < 200 || outcome.status_code > 299)) {
    outcome.error = "HTTP " + std::to_string(outcome.status_code);
  }
  co_await settle(std::move(job), std::move(target), std::move(outcome));
}

}  // namespace irisx::webhooks
