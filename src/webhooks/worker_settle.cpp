// Writing attempts' outcomes: the attempt row, the delivery's new state, the endpoint's failure
// streak and the job's ack or retry, in one transaction per batch of outcomes.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>

#include <spdlog/spdlog.h>

#include "common/id.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "webhooks/worker.hpp"

namespace irisx::webhooks {

namespace asio = boost::asio;
using std::chrono::milliseconds;

struct DeliveryWorker::Settlement {
  bus::Delivery job;
  DeliveryTarget target;
  AttemptOutcome outcome;
  AttemptPlan plan;
  std::int64_t at = 0;
  bool leads = false;  // commits the next batch
  bool done = false;
  bool failed = false;  // its batch's transaction failed: it is settled alone
  std::optional<asio::steady_timer> wake;
};

namespace {

// Outcomes committed per transaction at most: bounds one transaction's statements and
// parameters (9 per attempt row) well inside both stores' limits.
constexpr std::size_t kMaxSettleBatch = 128;

auto logger() {
  static auto log = log::get("webhooks");
  return log;
}

store::Value nullable(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

store::Value status_code_value(const AttemptOutcome& outcome) {
  if (outcome.status_code > 0) return std::int64_t(outcome.status_code);
  return nullptr;
}

bool is_callback(const DeliveryTarget& target) {
  return target.endpoint->kind == "callbacks";
}

void append_attempt_row(store::Params& params, const DeliveryTarget& target,
                        const AttemptOutcome& outcome, std::int64_t at) {
  store::Params row = store::args(new_id("WA"), target.delivery_id, target.event.tenant_id,
                                  target.attempts, status_code_value(outcome), outcome.duration_ms,
                                  nullable(outcome.excerpt), nullable(outcome.error), at);
  std::move(row.begin(), row.end(), std::back_inserter(params));
}

constexpr std::size_t kAttemptColumns = 9;

std::string insert_attempts_sql(std::size_t rows) {
  return "INSERT INTO webhook_attempts (id, delivery_id, tenant_id, attempt, status_code, "
         "duration_ms, response_excerpt, error, created_at) VALUES " +
         store::values_rows("($1, $2, $3, $4, $5, $6, $7, $8, $9)", kAttemptColumns, rows);
}

constexpr const char* kUpdateDelivery =
    "UPDATE webhook_deliveries SET status = $2, lease_until = NULL, next_attempt_at = $3, "
    "last_status_code = $4, last_error = $5, updated_at = $6 WHERE id = $1";

store::Params delivery_row(const DeliveryTarget& target, const AttemptOutcome& outcome,
                           const AttemptPlan& plan, std::int64_t at) {
  store::Value next_attempt = nullptr;
  if (plan.retry_after) next_attempt = at + plan.retry_after->count();
  return store::args(target.delivery_id, plan.status, next_attempt, status_code_value(outcome),
                     nullable(outcome.error), at);
}

store::Statement streak_statement(const StreakChange& change) {
  switch (change.kind) {
    case StreakChange::Kind::clear:
      return {
          "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since "
          "IS NOT NULL",
          store::args(change.endpoint_id)};
    case StreakChange::Kind::start:
      return {
          "UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since "
          "IS NULL",
          store::args(change.endpoint_id, change.since)};
    case StreakChange::Kind::restart:
      break;
  }
  return {"UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1",
          store::args(change.endpoint_id, change.since)};
}

}  // namespace

std::vector<store::Statement> DeliveryWorker::batch_writes(const std::vector<Settlement*>& batch) {
  std::vector<store::Statement> out;
  store::Params attempt_rows;
  std::vector<AttemptResult> streak;
  // Successes differ only in their status code: one UPDATE per code.
  std::map<std::int64_t, store::Params> succeeded;
  std::vector<store::Params> others;
  const std::int64_t now = now_ms();
  for (const Settlement* m : batch) {
    append_attempt_row(attempt_rows, m->target, m->outcome, m->at);
    if (!is_callback(m->target)) {
      streak.push_back(AttemptResult{m->target.endpoint->id, m->outcome.error.empty(), m->at});
    }
    if (m->plan.status == "succeeded") {
      store::Params& params = succeeded[m->outcome.status_code];
      if (params.empty()) params = store::args(std::int64_t(m->outcome.status_code), now);
      params.emplace_back(m->target.delivery_id);
    } else {
      others.push_back(delivery_row(m->target, m->outcome, m->plan, m->at));
    }
  }
  out.push_back(store::Statement{insert_attempts_sql(batch.size()), std::move(attempt_rows)});
  for (auto& entry : succeeded) {
    const std::size_t n = entry.second.size() - 2;
    out.push_back(store::Statement{
        "UPDATE webhook_deliveries SET status = 'succeeded', lease_until = NULL, "
        "next_attempt_at = NULL, last_status_code = $1, last_error = NULL, updated_at = $2 "
        "WHERE id IN (" +
            store::placeholders(3, n) + ")",
        std::move(entry.second)});
  }
  for (auto& params : others) out.push_back(store::Statement{kUpdateDelivery, std::move(params)});
  for (const auto& change : streak_changes(streak)) out.push_back(streak_statement(change));
  return out;
}

asio::awaitable<void> DeliveryWorker::settle(bus::Delivery job, DeliveryTarget target,
                                             AttemptOutcome outcome) {
  Settlement s;
  s.job = std::move(job);
  s.target = std::move(target);
  s.outcome = std::move(outcome);
  s.at = now_ms();
  (s.outcome.error.empty() ? attempts_succeeded_ : attempts_failed_).inc();
  s.plan = plan_after_attempt(s.target, s.outcome, s.at, settings_.retry_schedule,
                              settings_.disable_after);
  if (!s.plan.disable_reason.empty()) {  // rare, and it publishes an event: on its own
    co_await settle_alone(s);
    co_return;
  }
  // The first outcome to arrive while no transaction is committing leads: it commits the
  // outcomes queued by then (its own first) and hands the lead to the first one left.
  unsettled_.push_back(&s);
  if (!settling_) {
    settling_ = true;
    s.leads = true;
  } else {
    boost::system::error_code ec;
    s.wake.emplace(co_await asio::this_coro::executor);
    s.wake->expires_at(asio::steady_timer::time_point::max());
    while (!s.done && !s.leads) {
      co_await s.wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  if (s.leads) {
    const std::size_t n = std::min(unsettled_.size(), kMaxSettleBatch);
    std::vector<Settlement*> batch(unsettled_.begin(), unsettled_.begin() + n);
    unsettled_.erase(unsettled_.begin(), unsettled_.begin() + n);
    bool ok = true;
    try {
      co_await settle_batch(batch);
    } catch (const std::exception& e) {
      logger()->warn("settling {} attempts together failed, settling each alone: {}", n, e.what());
      ok = false;
    }
    for (Settlement* m : batch) {
      m->failed = !ok;
      m->done = true;
      if (m->wake) m->wake->cancel();
    }
    if (unsettled_.empty()) {
      settling_ = false;
    } else {
      unsettled_.front()->leads = true;
      unsettled_.front()->wake->cancel();
    }
  }
  if (s.failed) co_await settle_alone(s);
}

asio::awaitable<void> DeliveryWorker::settle_batch(std::vector<Settlement*> batch) {
  const std::vector<store::Statement> writes = batch_writes(batch);
  std::vector<bus::Delivery> acks;
  std::vector<Settlement*> retries;
  for (Settlement* m : batch) {
    if (m->plan.retry_after) {
      retries.push_back(m);
    } else {
      acks.push_back(m->job);
    }
  }
  bool acked_in_tx = false;
  std::vector<bool> retried_in_tx(retries.size(), false);
  co_await db_.transaction([&](store::Session& tx) -> asio::awaitable<void> {
    for (const store::Statement& w : writes) tx.defer(w.sql, w.params);
    // Jobs settle in the same commit as the attempts they caused, where the bus allows.
    if (!acks.empty()) acked_in_tx = co_await bus_.ack_all_in(tx, acks);
    for (std::size_t i = 0; i < retries.size(); ++i) {
      const bool in_tx = co_await bus_.retry_in(tx, retries[i]->job, *retries[i]->plan.retry_after);
      retried_in_tx[i] = in_tx;
    }
  });
  for (std::size_t i = 0; i < retries.size(); ++i) {
    if (!retried_in_tx[i]) co_await settle_on_bus(retries[i]->job, retries[i]->plan.retry_after);
  }
  if (!acked_in_tx) {
    for (auto& job : acks) co_await settle_on_bus(std::move(job), std::nullopt);
  }
}

asio::awaitable<void> DeliveryWorker::settle_on_bus(bus::Delivery job,
                                                    std::optional<milliseconds> retry_after) {
  try {
    if (retry_after) {
      co_await bus_.retry(job, *retry_after);
    } else {
      co_await bus_.ack(job);
    }
  } catch (const std::exception& e) {
    // The delivery row is settled: the job, handed out again after its ack wait, is acked.
    logger()->warn("settling job {} on the bus failed: {}", job.message.id, e.what());
  }
}

asio::awaitable<void> DeliveryWorker::settle_alone(Settlement& s) {
  std::vector<Settlement*> one;
  one.push_back(&s);
  const std::vector<store::Statement> writes = batch_writes(one);
  bool settled = false;
  co_await db_.transaction([&](store::Session& tx) -> asio::awaitable<void> {
    for (const store::Statement& w : writes) tx.defer(w.sql, w.params);
    if (!s.plan.disable_reason.empty()) co_await disable(tx, s.target, s.plan.disable_reason);
    if (s.plan.retry_after) {
      settled = co_await bus_.retry_in(tx, s.job, *s.plan.retry_after);
    } else {
      settled = co_await bus_.ack_in(tx, s.job);
    }
  });
  if (settled) co_return;
  if (s.plan.retry_after) {
    co_await bus_.retry(s.job, *s.plan.retry_after);
  } else {
    co_await bus_.ack(s.job);
  }
}

asio::awaitable<void> DeliveryWorker::disable(store::Session& tx, const DeliveryTarget& target,
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

}  // namespace irisx::webhooks
