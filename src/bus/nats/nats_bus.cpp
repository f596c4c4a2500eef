#include "bus/nats/nats_bus.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

#include "bus/nats/nats_client.hpp"
#include "bus/nats/offload.hpp"
#include "common/id.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace irisx::bus {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr int kRelayBatch = 256;
constexpr milliseconds kPublishAckWait{5000};
constexpr milliseconds kMaxBackoff{2000};
constexpr std::chrono::minutes kDuplicateWindow{2};

struct StreamDef {
  const char* name;
  const char* subjects;
};
constexpr StreamDef kStreams[] = {{"CALLS", "events.calls.*"},
                                  {"SMS", "events.sms.*"},
                                  {"EMAILS", "events.emails.*"},
                                  {"WEBHOOKS", "events.webhooks.*"}};

class NatsBus final : public Bus {
 public:
  NatsBus(store::Database& db, asio::any_io_executor executor, NatsBusOptions options)
      : db_(db),
        executor_(executor),
        options_(std::move(options)),
        client_(std::make_unique<nats::NatsClient>(options_.url)),
        timer_(std::make_shared<asio::steady_timer>(executor_)) {
    for (const auto& s : kStreams) {
      client_->ensure_stream(s.name, s.subjects, options_.retention, kDuplicateWindow);
    }
  }

  ~NatsBus() override {
    stop();
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, sub] : consumers_) sub->close();
    }
    fetch_pool_.join();
    relay_pool_.join();
    consumers_.clear();
    held_.clear();
    client_.reset();
  }

  asio::awaitable<void> declare(ConsumerSpec spec) override {
    auto* client = client_.get();
    auto work = [client, spec] {
      return std::shared_ptr<nats::PullSubscription>(client->ensure_consumer(spec));
    };
    auto sub = co_await nats::offload(&relay_pool_, std::move(work));
    std::shared_ptr<nats::PullSubscription> replaced;
    std::lock_guard lock(mutex_);
    max_deliveries_[spec.name] = spec.max_deliveries;
    auto& slot = consumers_[spec.name];
    replaced.swap(slot);
    slot = std::move(sub);
    if (replaced) replaced->close();
  }

  asio::awaitable<void> publish_all(store::Session& tx, std::vector<Message> messages) override {
    const std::int64_t now = now_ms();
    store::Params rows;
    for (Message& m : messages) {
      store::Params row =
          store::args(std::move(m.id), std::move(m.subject), std::move(m.payload), now);
      std::move(row.begin(), row.end(), std::back_inserter(rows));
    }
    // Publishing an id twice is one message, as on the stream (and the embedded bus).
    store::insert_rows(tx, "INSERT INTO bus_outbox (msg_id, subject, payload, created_at) VALUES ",
                       "($1, $2, $3, $4)", 4, std::move(rows), " ON CONFLICT (msg_id) DO NOTHING");
    co_return;
  }

  asio::awaitable<std::vector<Delivery>> fetch(std::string consumer, int max,
                                               milliseconds wait) override {
    auto sub = subscription(consumer);
    auto work = [sub, max, wait] { return sub->fetch(max, wait); };
    auto msgs = co_await nats::offload(&fetch_pool_, std::move(work));
    std::vector<Delivery> out;
    std::vector<Delivery> exhausted;
    out.reserve(msgs.size());
    {
      std::lock_guard lock(mutex_);
      const int most = max_deliveries_[consumer];
      for (auto& msg : msgs) {
        auto v = nats::view(msg.get());
        Delivery d{consumer, Message{std::move(v.id), std::move(v.subject), std::move(v.payload)},
                   v.attempt, std::to_string(++next_handle_)};
        held_.emplace(d.handle, std::move(msg));
        // The server's one delivery past the limit (nats_client.cpp) comes here to be buried,
        // as the embedded bus buries a row handed out `max_deliveries` times.
        if (most > 0 && d.attempt > most) {
          d.attempt = most;
          exhausted.push_back(std::move(d));
        } else {
          out.push_back(std::move(d));
        }
      }
    }
    for (auto& d : exhausted) {
      const std::string handle = d.handle;
      bool buried = false;
      try {
        co_await dead_letter(std::move(d), "max deliveries exceeded");
        buried = true;
      } catch (const std::exception& e) {
        log::get("bus")->warn("moving an exhausted message to the dead letters failed: {}",
                              e.what());
      }
      // Handed out again after the ack wait, and tried again.
      if (!buried) take(handle);
    }
    co_return out;
  }

  asio::awaitable<void> ack(Delivery delivery) override {
    auto msg = take(delivery.handle);
    nats::settle(msg.get(), nats::Settlement::ack);
    co_return;
  }

  asio::awaitable<void> retry(Delivery delivery, milliseconds delay) override {
    auto msg = take(delivery.handle);
    nats::settle(msg.get(), nats::Settlement::nak, delay);
    co_return;
  }

  // JetStream's acks are not part of the store's transaction.
  asio::awaitable<bool> ack_all_in(store::Session&, std::vector<Delivery>) override {
    co_return false;
  }
  asio::awaitable<bool> retry_in(store::Session&, Delivery, milliseconds) override {
    co_return false;
  }

  asio::awaitable<void> dead_letter(Delivery delivery, std::string reason) override {
    held(delivery.handle);  // fails before the insert for a delivery that is not ours
    co_await db_.exec(
        "INSERT INTO bus_dead_letters (id, consumer, msg_id, subject, payload, attempts, reason, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        store::args(new_id("DL"), delivery.consumer, delivery.message.id, delivery.message.subject,
                    delivery.message.payload, delivery.attempt, reason, now_ms()));
    auto msg = take(delivery.handle);
    nats::settle(msg.get(), nats::Settlement::term);
  }

  asio::awaitable<void> run() override {
    milliseconds backoff = options_.relay_poll_interval;
    while (!stopping_) {
      milliseconds pause = options_.relay_poll_interval;
      try {
        auto pass = co_await relay_once();
        if (pass.unacked == 0) {
          backoff = options_.relay_poll_interval;
          if (pass.relayed == kRelayBatch) pause = milliseconds(0);
        } else {
          pause = backoff;
          backoff = std::min(backoff * 2, kMaxBackoff);
        }
      } catch (const std::exception& e) {
        log::get("bus")->warn("outbox relay pass failed: {}", e.what());
        pause = backoff;
        backoff = std::min(backoff * 2, kMaxBackoff);
      }
      if (!stopping_ && pause.count() > 0) co_await sleep(pause);
    }
    co_await relay_before_stopping();
  }

  void stop() override {
    stopping_ = true;
    asio::post(executor_, [timer = std::weak_ptr(timer_)] {
      if (auto t = timer.lock()) t->cancel();
    });
  }

 private:
  struct RelayPass {
    std::size_t relayed = 0;
    std::size_t unacked = 0;
  };

  // stop() comes after the API has drained: what it committed goes out now rather than when
  // another process's relay finds it (or this one's, after a restart). Bounded, and given up
  // while JetStream does not answer: the rows stay in the outbox either way.
  asio::awaitable<void> relay_before_stopping() {
    try {
      for (int pass = 0; pass < 50; ++pass) {
        auto done = co_await relay_once();
        if (done.relayed < kRelayBatch || done.unacked > 0) break;
      }
    } catch (const std::exception& e) {
      log::get("bus")->warn("last outbox relay pass failed: {}", e.what());
    }
  }

  asio::awaitable<RelayPass> relay_once() {
    auto rows = co_await db_.exec(
        "SELECT msg_id, subject, payload FROM bus_outbox ORDER BY created_at, msg_id LIMIT " +
        std::to_string(kRelayBatch));
    std::vector<Message> batch;
    for (const auto& row : rows.rows) batch.push_back({row.text(0), row.text(1), row.text(2)});
    if (batch.empty()) co_return RelayPass{};
    auto* client = client_.get();
    auto work = [client, batch] { return client->publish_batch(batch, kPublishAckWait); };
    auto acked = co_await nats::offload(&relay_pool_, std::move(work));
    if (!acked.empty()) {
      store::Params ids(acked.begin(), acked.end());
      co_await db_.exec(
          "DELETE FROM bus_outbox WHERE msg_id IN (" + store::placeholders(1, ids.size()) + ")",
          std::move(ids));
    }
    co_return RelayPass{batch.size(), batch.size() - std::min(batch.size(), acked.size())};
  }

  asio::awaitable<void> sleep(milliseconds d) {
    auto timer = timer_;
    timer->expires_after(d);
    boost::system::error_code ignored;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  std::shared_ptr<nats::PullSubscription> subscription(const std::string& consumer) {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(consumer);
    if (it == consumers_.end())
      throw std::invalid_argument("consumer " + consumer + " was not declared");
    return it->second;
  }

  void held(const std::string& handle) {
    std::lock_guard lock(mutex_);
    if (held_.count(handle) == 0)
      throw std::invalid_argument("delivery " + handle + " is not held (already settled?)");
  }

  nats::MsgPtr take(const std::string& handle) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(handle);
    if (it == held_.end())
      throw std::invalid_argument("delivery " + handle + " is not held (already settled?)");
    auto msg = std::move(it->second);
    held_.erase(it);
    return msg;
  }

  store::Database& db_;
  asio::any_io_executor executor_;
  NatsBusOptions options_;
  std::unique_ptr<nats::NatsClient> client_;
  // Publishing and consumer setup never wait behind a long fetch.
  asio::thread_pool relay_pool_{1};
  asio::thread_pool fetch_pool_{8};
  std::shared_ptr<asio::steady_timer> timer_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<nats::PullSubscription>> consumers_;
  std::map<std::string, nats::MsgPtr> held_;
  std::map<std::string, int> max_deliveries_;  // by consumer, as declared
  std::uint64_t next_handle_ = 0;
};

}  // namespace

std::unique_ptr<Bus> make_nats_bus(store::Database& db, asio::any_io_executor executor,
                                   NatsBusOptions options) {
  return std::make_unique<NatsBus>(db, std::move(executor), std::move(options));
}

}  // namespace irisx::bus
