#include "bus/embedded/embedded_bus.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include "common/crypto.hpp"
#include "common/id.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace irisx::bus {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Duration = std::chrono::steady_clock::duration;
using store::args;

// Asked before a claim: a plain read, answered on SQLite without the write lock and on
// PostgreSQL without a transaction or row locks, so an idle consumer polling every
// poll_interval costs no writes (the claim's UPDATE finds nothing, but still runs as a
// transaction on the server).
constexpr const char* kAnyDue =
    "SELECT 1 FROM bus_messages WHERE consumer = $1 AND visible_at <= $2 LIMIT 1";

// $3 = max_deliveries; rows at or past it are not handed out (they go to the dead letters).
constexpr const char* kExhaustedSqlite =
    "SELECT msg_id, subject, payload, attempts FROM bus_messages WHERE consumer = $1 AND "
    "visible_at <= $2 AND attempts >= $3 ORDER BY visible_at, msg_id LIMIT $4";
constexpr const char* kExhaustedPostgres =
    "SELECT msg_id, subject, payload, attempts FROM bus_messages WHERE consumer = $1 AND "
    "visible_at <= $2 AND attempts >= $3 ORDER BY visible_at, msg_id LIMIT $4 "
    "FOR UPDATE SKIP LOCKED";

// $3 = new visible_at, $4 = lease, $5 = max_deliveries (<= 0: unlimited), $6 = batch size.
constexpr const char* kClaimSqlite =
    "UPDATE bus_messages SET attempts = attempts + 1, visible_at = $3, lease = $4 "
    "WHERE consumer = $1 AND msg_id IN (SELECT msg_id FROM bus_messages WHERE consumer = $1 "
    "AND visible_at <= $2 AND ($5 <= 0 OR attempts < $5) ORDER BY visible_at, msg_id LIMIT $6) "
    "RETURNING msg_id, subject, payload, attempts, created_at";
// The due rows are taken once (an init plan) and updated by their row address (a TID scan):
// a planner that believed the table nearly empty joined an IN subquery per row, or looked the
// taken rows up by walking a whole index (migration 9). The rows are locked, so their
// addresses hold until the UPDATE; no other condition, or the planner may prefer an index.
constexpr const char* kClaimPostgres =
    "UPDATE bus_messages SET attempts = attempts + 1, visible_at = $3, lease = $4 "
    "WHERE ctid = ANY (ARRAY(SELECT ctid FROM bus_messages WHERE consumer = $1 "
    "AND visible_at <= $2 AND ($5 <= 0 OR attempts < $5) ORDER BY visible_at, msg_id LIMIT $6 "
    "FOR UPDATE SKIP LOCKED)) RETURNING msg_id, subject, payload, attempts, created_at";

constexpr const char* kDeleteLeased =
    "DELETE FROM bus_messages WHERE consumer = $1 AND msg_id = $2 AND lease = $3";
constexpr const char* kDeleteLeasedReturning =
    "DELETE FROM bus_messages WHERE consumer = $1 AND msg_id = $2 AND lease = $3 "
    "RETURNING subject, payload, attempts";
constexpr const char* kDeleteOne = "DELETE FROM bus_messages WHERE consumer = $1 AND msg_id = $2";
constexpr const char* kRetry =
    "UPDATE bus_messages SET visible_at = $4, lease = NULL WHERE consumer = $1 AND msg_id = $2 "
    "AND lease = $3";
constexpr const char* kDeadLetter =
    "INSERT INTO bus_dead_letters (id, consumer, msg_id, subject, payload, attempts, reason, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

// A fetch leases its messages under one handle: one DELETE's parameters (consumer, lease,
// message ids…) per fetch the deliveries came from.
std::vector<store::Params> acks_by_lease(std::vector<Delivery> deliveries) {
  std::map<std::pair<std::string, std::string>, store::Params> by_lease;
  for (Delivery& d : deliveries) {
    store::Params& params = by_lease[std::make_pair(d.consumer, d.handle)];
    if (params.empty()) params = args(d.consumer, d.handle);
    params.emplace_back(std::move(d.message.id));
  }
  std::vector<store::Params> out;
  for (auto& entry : by_lease) out.push_back(std::move(entry.second));
  return out;
}

constexpr const char* kMaxDeliveriesExceeded = "max deliveries exceeded";

class EmbeddedBus final : public Bus {
 public:
  EmbeddedBus(store::Database& db, asio::any_io_executor executor, EmbeddedBusOptions options)
      : db_(db), executor_(std::move(executor)), options_(options), log_(log::get("bus")) {}

  asio::awaitable<void> declare(ConsumerSpec spec) override {
    std::lock_guard lock(mutex_);
    std::string name = spec.name;
    consumers_.insert_or_assign(std::move(name), std::move(spec));
    co_return;
  }

  asio::awaitable<void> publish_all(store::Session& tx, std::vector<Message> messages) override {
    const std::int64_t now = now_ms();
    store::Params rows;
    for (Message& message : messages) {
      const std::vector<std::string> targets = consumers_for(message.subject);
      for (const std::string& consumer : targets) {
        store::Params row = args(consumer, message.id, message.subject, message.payload, now);
        std::move(row.begin(), row.end(), std::back_inserter(rows));
      }
    }
    store::insert_rows(tx,
                       "INSERT INTO bus_messages (consumer, msg_id, subject, payload, "
                       "attempts, visible_at, lease, created_at) VALUES ",
                       "($1, $2, $3, $4, 0, $5, NULL, $5)", 5, std::move(rows),
                       " ON CONFLICT (consumer, msg_id) DO NOTHING");
    co_return;
  }

  asio::awaitable<std::vector<Delivery>> fetch(std::string consumer, int max,
                                               milliseconds wait) override {
    const ConsumerSpec spec = spec_of(consumer);
    if (max <= 0) co_return std::vector<Delivery>();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      std::vector<Delivery> claimed = co_await claim(spec, max);
      if (!claimed.empty()) co_return claimed;
      // Not truncated to milliseconds: a fetch must not return before its wait is over.
      const Duration left = deadline - std::chrono::steady_clock::now();
      if (left <= Duration::zero()) co_return claimed;
      const bool running = co_await sleep(std::min<Duration>(left, options_.poll_interval));
      if (!running) co_return claimed;
    }
  }

  asio::awaitable<void> ack(Delivery d) override {
    store::Result r = co_await db_.exec(kDeleteLeased, args(d.consumer, d.message.id, d.handle));
    if (r.affected_rows == 0) {
      log_->debug("ack of {}/{} ignored: its lease expired and it was handed out again", d.consumer,
                  d.message.id);
    }
  }

  asio::awaitable<void> retry(Delivery d, milliseconds delay) override {
    store::Result r = co_await db_.exec(
        kRetry, args(d.consumer, d.message.id, d.handle, now_ms() + delay.count()));
    if (r.affected_rows == 0) {
      log_->debug("retry of {}/{} ignored: its lease expired", d.consumer, d.message.id);
    }
  }

  asio::awaitable<bool> ack_all_in(store::Session& tx, std::vector<Delivery> deliveries) override {
    for (const store::Params& params : acks_by_lease(std::move(deliveries))) {
      tx.defer("DELETE FROM bus_messages WHERE consumer = $1 AND lease = $2 AND msg_id IN (" +
                   store::placeholders(3, params.size() - 2) + ")",
               params);
    }
    co_return true;
  }

  asio::awaitable<bool> retry_in(store::Session& tx, Delivery d, milliseconds delay) override {
    tx.defer(kRetry, args(d.consumer, d.message.id, d.handle, now_ms() + delay.count()));
    co_return true;
  }

  asio::awaitable<void> dead_letter(Delivery d, std::string reason) override {
    bool moved = false;
    store::Database::TransactionBody body = [d, reason,
                                             &moved](store::Session& tx) -> asio::awaitable<void> {
      store::Result gone =
          co_await tx.exec(kDeleteLeasedReturning, args(d.consumer, d.message.id, d.handle));
      moved = !gone.empty();
      if (!moved) co_return;
      const store::Row& row = gone.front();
      co_await tx.exec(kDeadLetter, args(new_id("DL"), d.consumer, d.message.id, row.text(0),
                                         row.text(1), row.int64(2), reason, now_ms()));
    };
    co_await db_.transaction(std::move(body));
    if (!moved) {
      log_->debug("dead letter of {}/{} ignored: its lease expired", d.consumer, d.message.id);
    }
  }

  asio::awaitable<void> run() override {
    // Sleeps until stop(): this bus has no background work of its own.
    for (;;) {
      const bool running = co_await sleep(std::chrono::hours(24));
      if (!running) co_return;
    }
  }

  void stop() override {
    std::set<std::shared_ptr<asio::steady_timer>> sleepers;
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      sleepers = sleepers_;
    }
    // Cancelled on the timers' executor, since a timer is not safe to touch from another thread.
    for (const auto& timer : sleepers) asio::post(executor_, [timer] { timer->cancel(); });
  }

 private:
  std::vector<std::string> consumers_for(const std::string& subject) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, spec] : consumers_) {
      if (subject_matches(spec.filter, subject)) names.push_back(name);
    }
    return names;
  }

  bool had_work(const std::string& consumer) {
    std::lock_guard lock(mutex_);
    return had_work_.count(consumer) != 0;
  }
  void set_had_work(const std::string& consumer, bool found) {
    std::lock_guard lock(mutex_);
    if (found) {
      had_work_.insert(consumer);
    } else {
      had_work_.erase(consumer);
    }
  }

  ConsumerSpec spec_of(const std::string& consumer) {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(consumer);
    if (it == consumers_.end()) {
      throw std::logic_error("bus consumer '" + consumer + "' was fetched before declare()");
    }
    return it->second;
  }

  // False when stop() ended the sleep (or had been called already).
  asio::awaitable<bool> sleep(Duration duration) {
    auto timer = std::make_shared<asio::steady_timer>(executor_, duration);
    {
      std::lock_guard lock(mutex_);
      if (stopped_) co_return false;
      sleepers_.insert(timer);
    }
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    std::lock_guard lock(mutex_);
    sleepers_.erase(timer);
    co_return !stopped_;
  }

  asio::awaitable<std::vector<Delivery>> claim(ConsumerSpec spec, int max) {
    std::vector<Delivery> out;
    const bool sqlite = db_.dialect() == store::Dialect::sqlite;
    const std::int64_t now = now_ms();
    // The cheap look is for an idle queue; while claims keep finding work, a claim is the look
    // (on PostgreSQL that SELECT cost 4-5 ms under load, stepping over the dead index entries of
    // acked and re-leased rows).
    if (!had_work(spec.name)) {
      store::Result due = co_await db_.exec(kAnyDue, args(spec.name, now));
      if (due.empty()) co_return out;
    }

    const std::string lease = crypto::random_hex(16);
    std::vector<store::Row> rows;
    store::Database::TransactionBody body = [&, spec,
                                             now](store::Session& tx) -> asio::awaitable<void> {
      if (spec.max_deliveries > 0) co_await bury_exhausted(tx, spec, now, max);
      store::Result r = co_await tx.exec(
          sqlite ? kClaimSqlite : kClaimPostgres,
          args(spec.name, now, now + spec.ack_wait.count(), lease,
               static_cast<std::int64_t>(spec.max_deliveries), static_cast<std::int64_t>(max)));
      rows = std::move(r.rows);
    };
    co_await db_.transaction(std::move(body));
    set_had_work(spec.name, !rows.empty());

    // RETURNING has no defined order; hand out the oldest first.
    std::sort(rows.begin(), rows.end(), [](const store::Row& a, const store::Row& b) {
      return std::pair(a.int64(4), a.text(0)) < std::pair(b.int64(4), b.text(0));
    });
    for (const store::Row& row : rows) {
      out.push_back(Delivery{spec.name, Message{row.text(0), row.text(1), row.text(2)},
                             static_cast<int>(row.int64(3)), lease});
    }
    co_return out;
  }

  // Moves due rows that have used up their deliveries to the dead letters.
  asio::awaitable<void> bury_exhausted(store::Session& tx, ConsumerSpec spec, std::int64_t now,
                                       int max) {
    const bool sqlite = db_.dialect() == store::Dialect::sqlite;
    store::Result exhausted =
        co_await tx.exec(sqlite ? kExhaustedSqlite : kExhaustedPostgres,
                         args(spec.name, now, static_cast<std::int64_t>(spec.max_deliveries),
                              static_cast<std::int64_t>(max)));
    for (const store::Row& row : exhausted.rows) {
      co_await tx.exec(kDeadLetter, args(new_id("DL"), spec.name, row.text(0), row.text(1),
                                         row.text(2), row.int64(3), kMaxDeliveriesExceeded, now));
      co_await tx.exec(kDeleteOne, args(spec.name, row.text(0)));
      log_->warn("{}/{} moved to the dead letters after {} deliveries", spec.name, row.text(0),
                 row.int64(3));
    }
  }

  store::Database& db_;
  asio::any_io_executor executor_;
  EmbeddedBusOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::map<std::string, ConsumerSpec> consumers_;  // guarded by mutex_
  std::set<std::string> had_work_;  // consumers whose last claim found work; guarded by mutex_
  std::set<std::shared_ptr<asio::steady_timer>> sleepers_;  // guarded by mutex_
  bool stopped_ = false;                                    // guarded by mutex_
};

}  // namespace

std::unique_ptr<Bus> make_embedded_bus(store::Database& db, asio::any_io_executor executor,
                                       EmbeddedBusOptions options) {
  return std::make_unique<EmbeddedBus>(db, std::move(executor), options);
}

}  // namespace irisx::bus
