// The bus contract (src/bus/bus.hpp) against real stores. Each parameter names a bus
// implementation over a store; a NATS bus joins as another kind in make_bus_for().
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/database_factory.hpp"
#include "bus/embedded/embedded_bus.hpp"
#include "integration/store_urls.hpp"
#include "store/migrations.hpp"

namespace irisx::bus {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::unique_ptr<Bus> make_bus_for(const std::string& kind, store::Database& db,
                                  asio::any_io_executor executor) {
  if (kind == "sqlite" || kind == "postgres") return make_embedded_bus(db, std::move(executor));
  throw std::invalid_argument("unknown bus kind " + kind);
}

asio::awaitable<void> sleep_for(milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

ConsumerSpec consumer(std::string name, std::string filter,
                      milliseconds ack_wait = milliseconds(60000), int max_deliveries = -1) {
  return ConsumerSpec{std::move(name), "WEBHOOKS", std::move(filter), max_deliveries, ack_wait};
}

Message message(std::string id, std::string subject = "events.webhooks.user_created") {
  return Message{id, std::move(subject), R"({"id":")" + id + R"("})"};
}

class BusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = irisx::testing::fresh_store_url(GetParam(), "bus", dir_);
    db_ = open_db();
    run([this]() -> asio::awaitable<void> { co_await store::migrate(*db_); });
    bus_ = make_bus_for(GetParam(), *db_, io_.get_executor());
  }

  void TearDown() override {
    bus_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Another handle on the same store, as a second process would have.
  std::unique_ptr<store::Database> open_db() {
    return app::open_database(url_, io_.get_executor(), 4);
  }

  // A coroutine lambda's frame points at its closure, so `call` keeps the closure alive.
  template <class F>
  static asio::awaitable<void> call(std::shared_ptr<F> coroutine) {
    co_await (*coroutine)();
  }

  template <class F>
  void spawn(F coroutine) {
    asio::co_spawn(io_, call(std::make_shared<F>(std::move(coroutine))),
                   [this](std::exception_ptr e) {
                     if (e && !failure_) failure_ = e;
                   });
  }

  // Runs every spawned coroutine to completion; rethrows the first failure.
  void run_all() {
    io_.run();
    io_.restart();
    if (std::exception_ptr e = std::exchange(failure_, nullptr)) std::rethrow_exception(e);
  }

  template <class F>
  void run(F coroutine) {
    spawn(std::move(coroutine));
    run_all();
  }

  static asio::awaitable<void> publish(Bus& bus, store::Database& db,
                                       std::vector<Message> messages) {
    store::Database::TransactionBody body =
        [&bus, messages](store::Session& tx) -> asio::awaitable<void> {
      for (const Message& m : messages) co_await bus.publish(tx, m);
    };
    co_await db.transaction(std::move(body));
  }
  asio::awaitable<void> publish(Message m) {
    std::vector<Message> one;
    one.push_back(std::move(m));
    co_await publish(*bus_, *db_, std::move(one));
  }

  std::vector<Delivery> fetch(const std::string& name, int max, milliseconds wait) {
    std::vector<Delivery> out;
    run([&]() -> asio::awaitable<void> { out = co_await bus_->fetch(name, max, wait); });
    return out;
  }

  void declare(ConsumerSpec spec) {
    run([&]() -> asio::awaitable<void> { co_await bus_->declare(spec); });
  }
  void publish_now(Message m) {
    run([&]() -> asio::awaitable<void> { co_await publish(m); });
  }
  // The batch in one publish_all call, in one transaction.
  void publish_all_now(const std::vector<Message>& batch) {
    run([&]() -> asio::awaitable<void> {
      store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
        co_await bus_->publish_all(tx, batch);
      };
      co_await db_->transaction(std::move(body));
    });
  }
  // The deliveries acked in one ack_all_in call, in one transaction; what it returned.
  bool ack_all_now(const std::vector<Delivery>& deliveries) {
    bool settled = false;
    run([&]() -> asio::awaitable<void> {
      store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
        settled = co_await bus_->ack_all_in(tx, deliveries);
      };
      co_await db_->transaction(std::move(body));
    });
    return settled;
  }
  std::vector<store::Row> dead_letters() {
    std::vector<store::Row> rows;
    run([&]() -> asio::awaitable<void> {
      rows = (co_await db_->exec("SELECT consumer, msg_id, subject, payload, attempts, reason, id "
                                 "FROM bus_dead_letters ORDER BY created_at, id"))
                 .rows;
    });
    return rows;
  }

  std::filesystem::path dir_;
  std::string url_;
  asio::io_context io_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Bus> bus_;
  std::exception_ptr failure_;
};

TEST_P(BusTest, MessagePublishedInARolledBackTransactionIsNeverDelivered) {
  declare(consumer("hooks", "events.webhooks.*"));
  EXPECT_THROW(run([this]() -> asio::awaitable<void> {
                 store::Database::TransactionBody body =
                     [this](store::Session& tx) -> asio::awaitable<void> {
                   co_await bus_->publish(tx, message("M1"));
                   throw std::runtime_error("the state change failed");
                 };
                 co_await db_->transaction(std::move(body));
               }),
               std::runtime_error);
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(100)).empty());
}

TEST_P(BusTest, CommittedMessageIsDeliveredWithItsContent) {
  declare(consumer("hooks", "events.webhooks.*"));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].consumer, "hooks");
  EXPECT_EQ(got[0].message.id, "M1");
  EXPECT_EQ(got[0].message.subject, "events.webhooks.user_created");
  EXPECT_EQ(got[0].message.payload, R"({"id":"M1"})");
  EXPECT_EQ(got[0].attempt, 1);
  EXPECT_FALSE(got[0].handle.empty());
}

TEST_P(BusTest, MessageFansOutToEveryMatchingConsumerOnly) {
  declare(consumer("hooks", "events.webhooks.*"));
  declare(consumer("archive", "events.>"));
  declare(consumer("sms", "events.sms.*"));
  publish_now(message("M1"));
  EXPECT_EQ(fetch("hooks", 10, milliseconds(1000)).size(), 1u);
  EXPECT_EQ(fetch("archive", 10, milliseconds(1000)).size(), 1u);
  EXPECT_TRUE(fetch("sms", 10, milliseconds(100)).empty());
}

TEST_P(BusTest, SameIdPublishedTwiceIsDeliveredOnce) {
  declare(consumer("hooks", "events.webhooks.*"));
  publish_now(message("M1"));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  run([&]() -> asio::awaitable<void> { co_await bus_->ack(got[0]); });
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(100)).empty());
}

TEST_P(BusTest, AckedMessageIsNotHandedOutAgainAfterAckWait) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(100)));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  run([&]() -> asio::awaitable<void> { co_await bus_->ack(got[0]); });
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(400)).empty());
}

TEST_P(BusTest, AnAckInsideATransactionTakesEffectOnlyWithItsCommit) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(100)));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  // Rolled back with the state change: the message comes back after its ack wait.
  EXPECT_THROW(
      run([&]() -> asio::awaitable<void> {
        store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
          EXPECT_TRUE(co_await bus_->ack_in(tx, got[0]));
          throw std::runtime_error("the state change failed");
        };
        co_await db_->transaction(std::move(body));
      }),
      std::runtime_error);
  auto again = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2);
  // Committed: gone for good.
  run([&]() -> asio::awaitable<void> {
    store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
      EXPECT_TRUE(co_await bus_->ack_in(tx, again[0]));
    };
    co_await db_->transaction(std::move(body));
  });
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(400)).empty());
}

TEST_P(BusTest, MessagesPublishedInOneCallAreEachDeliveredToEveryMatchingConsumerOnce) {
  declare(consumer("hooks", "events.webhooks.*"));
  declare(consumer("archive", "events.>"));
  std::vector<Message> batch;
  for (int i = 0; i < 450; ++i) batch.push_back(message("M" + std::to_string(i)));
  batch.push_back(message("M7"));  // the same id twice in one call is one message
  publish_all_now(batch);
  for (const char* name : {"hooks", "archive"}) {
    std::map<std::string, int> seen;
    for (const Delivery& d : fetch(name, 1000, milliseconds(1000))) ++seen[d.message.id];
    EXPECT_EQ(seen.size(), 450u) << name;
    EXPECT_EQ(seen["M7"], 1) << name;
    EXPECT_EQ(seen["M449"], 1) << name;
  }
}

TEST_P(BusTest, AcksOfMessagesFromTwoFetchesInOneTransactionSettleEachAndNothingElse) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(200)));
  for (const char* id : {"M1", "M2", "M3"}) publish_now(message(id));
  auto first = fetch("hooks", 2, milliseconds(1000));
  auto second = fetch("hooks", 1, milliseconds(1000));
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 1u);
  std::vector<Delivery> acks{first[0], second[0]};
  EXPECT_TRUE(ack_all_now(acks));
  // Only the one left unacked comes back after its ack wait.
  auto again = fetch("hooks", 10, milliseconds(2000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].message.id, first[1].message.id);
  EXPECT_EQ(again[0].attempt, 2);
}

// A queue analysed while drained leaves PostgreSQL believing it holds about one row. With that
// belief a lookup by message must still use the primary key, and a backlog that arrives
// afterwards must still be claimed whole, each message once (migration 9).
TEST_P(BusTest, ABacklogAfterTheDrainedQueueWasAnalysedIsClaimedByKey) {
  if (GetParam() != "postgres") GTEST_SKIP() << "planner statistics are PostgreSQL's";
  declare(consumer("hooks", "events.webhooks.*"));
  auto publish_batch = [&](const std::string& prefix) {
    std::vector<Message> batch;
    for (int i = 0; i < 3000; ++i) batch.push_back(message(prefix + std::to_string(i)));
    publish_all_now(batch);
  };
  // Every message fetched and acked, 256 at a time: how often each was handed out.
  auto drain = [&]() {
    std::map<std::string, int> seen;
    for (;;) {
      auto got = fetch("hooks", 256, milliseconds(200));
      if (got.empty()) break;
      for (const Delivery& d : got) ++seen[d.message.id];
      ack_all_now(got);
    }
    return seen;
  };
  publish_batch("A");
  ASSERT_EQ(drain().size(), 3000u);
  run([&]() -> asio::awaitable<void> {
    co_await db_->exec_script("ANALYZE bus_messages");  // sees the dead rows' pages, no live row
  });
  publish_batch("B");
  std::string plan;
  run([&]() -> asio::awaitable<void> {
    // The bus's statements run as prepared statements, which PostgreSQL plans generically.
    store::Database::TransactionBody explain = [&](store::Session& tx) -> asio::awaitable<void> {
      co_await tx.exec("SET LOCAL plan_cache_mode = force_generic_plan");
      co_await tx.exec(
          "PREPARE ack_one (text, text, text) AS DELETE FROM bus_messages WHERE consumer = $1 "
          "AND msg_id = $2 AND lease = $3");
      store::Result r = co_await tx.exec("EXPLAIN EXECUTE ack_one ('hooks', 'B1', 'x')");
      co_await tx.exec("DEALLOCATE ack_one");
      for (const store::Row& row : r.rows) plan += row.text(0) + "\n";
    };
    co_await db_->transaction(std::move(explain));
  });
  EXPECT_NE(plan.find("bus_messages_pkey"), std::string::npos) << plan;

  std::map<std::string, int> seen = drain();
  EXPECT_EQ(seen.size(), 3000u);
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << id;
}

TEST_P(BusTest, ARetryInsideATransactionDelaysTheMessage) {
  declare(consumer("hooks", "events.webhooks.*"));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  run([&]() -> asio::awaitable<void> {
    store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
      EXPECT_TRUE(co_await bus_->retry_in(tx, got[0], milliseconds(300)));
    };
    co_await db_->transaction(std::move(body));
  });
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(100)).empty());
  auto again = fetch("hooks", 10, milliseconds(2000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2);
}

TEST_P(BusTest, RetriedMessageComesBackAfterTheDelayAsAttemptTwo) {
  declare(consumer("hooks", "events.webhooks.*"));
  publish_now(message("M1"));
  auto first = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(first.size(), 1u);
  const auto retried_at = Clock::now();
  run([&]() -> asio::awaitable<void> { co_await bus_->retry(first[0], milliseconds(400)); });
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(100)).empty());
  auto second = fetch("hooks", 10, milliseconds(3000));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GE(since(retried_at), milliseconds(400));
  EXPECT_EQ(second[0].attempt, 2);
}

TEST_P(BusTest, UnackedMessageIsHandedOutAgainAndTheStaleLeaseCannotAckIt) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(200)));
  publish_now(message("M1"));
  auto first = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(0)).empty()) << "held by the first worker";
  auto second = fetch("hooks", 10, milliseconds(3000));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);
  EXPECT_NE(second[0].handle, first[0].handle);

  // The first worker's late ack must neither fail nor remove the second worker's delivery.
  run([&]() -> asio::awaitable<void> {
    co_await bus_->ack(first[0]);
    co_await bus_->retry(second[0], milliseconds(0));
  });
  auto third = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].attempt, 3);
}

TEST_P(BusTest, MessagePastMaxDeliveriesGoesToTheDeadLetters) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(100), 2));
  publish_now(message("M1"));
  ASSERT_EQ(fetch("hooks", 10, milliseconds(1000)).size(), 1u);
  auto again = fetch("hooks", 10, milliseconds(2000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2);
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(500)).empty());

  auto dead = dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].text(0), "hooks");
  EXPECT_EQ(dead[0].text(1), "M1");
  EXPECT_EQ(dead[0].text(3), R"({"id":"M1"})");
  EXPECT_EQ(dead[0].int64(4), 2);
  EXPECT_EQ(dead[0].text(5), "max deliveries exceeded");
}

TEST_P(BusTest, DeadLetteredMessageKeepsPayloadAndReason) {
  declare(consumer("hooks", "events.webhooks.*", milliseconds(100)));
  publish_now(message("M1"));
  auto got = fetch("hooks", 10, milliseconds(1000));
  ASSERT_EQ(got.size(), 1u);
  run([&]() -> asio::awaitable<void> { co_await bus_->dead_letter(got[0], "endpoint gone"); });

  auto dead = dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].text(1), "M1");
  EXPECT_EQ(dead[0].text(2), "events.webhooks.user_created");
  EXPECT_EQ(dead[0].text(3), R"({"id":"M1"})");
  EXPECT_EQ(dead[0].int64(4), 1);
  EXPECT_EQ(dead[0].text(5), "endpoint gone");
  EXPECT_EQ(dead[0].text(6).substr(0, 2), "DL");
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(300)).empty());
}

TEST_P(BusTest, IdleFetchWaitsForTheWholeWait) {
  declare(consumer("hooks", "events.webhooks.*"));
  const auto start = Clock::now();
  EXPECT_TRUE(fetch("hooks", 10, milliseconds(300)).empty());
  EXPECT_GE(since(start), milliseconds(300));
  EXPECT_LT(since(start), milliseconds(3000));
}

TEST_P(BusTest, WaitingFetchReturnsAsSoonAsAMessageArrives) {
  declare(consumer("hooks", "events.webhooks.*"));
  std::vector<Delivery> got;
  const auto start = Clock::now();
  spawn([&]() -> asio::awaitable<void> {
    got = co_await bus_->fetch("hooks", 10, milliseconds(10000));
  });
  spawn([&]() -> asio::awaitable<void> {
    co_await sleep_for(milliseconds(200));
    co_await publish(message("M1"));
  });
  run_all();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(since(start), milliseconds(3000));
}

TEST_P(BusTest, StopEndsRunAndWakesAWaitingFetch) {
  declare(consumer("hooks", "events.webhooks.*"));
  bool run_returned = false;
  bool fetch_returned = false;
  const auto start = Clock::now();
  spawn([&]() -> asio::awaitable<void> {
    co_await bus_->run();
    run_returned = true;
  });
  spawn([&]() -> asio::awaitable<void> {
    auto got = co_await bus_->fetch("hooks", 10, milliseconds(20000));
    fetch_returned = got.empty();
  });
  spawn([&]() -> asio::awaitable<void> {
    co_await sleep_for(milliseconds(200));
    bus_->stop();
  });
  run_all();
  EXPECT_TRUE(run_returned);
  EXPECT_TRUE(fetch_returned);
  EXPECT_LT(since(start), milliseconds(5000));
}

TEST_P(BusTest, TwoWorkersDeliverEveryMessageExactlyOnce) {
  constexpr int kMessages = 2000;
  // On PostgreSQL each worker has its own pool, as two processes would.
  std::unique_ptr<store::Database> other_db = GetParam() == "postgres" ? open_db() : nullptr;
  store::Database& second_db = other_db ? *other_db : *db_;
  std::vector<std::unique_ptr<Bus>> workers;
  workers.push_back(make_bus_for(GetParam(), *db_, io_.get_executor()));
  workers.push_back(make_bus_for(GetParam(), second_db, io_.get_executor()));
  for (auto& w : workers) {
    run([&]() -> asio::awaitable<void> { co_await w->declare(consumer("hooks", "events.>")); });
  }
  run([&]() -> asio::awaitable<void> { co_await bus_->declare(consumer("hooks", "events.>")); });

  std::map<std::string, int> seen;
  int per_worker[2] = {0, 0};
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  spawn([&]() -> asio::awaitable<void> {
    for (int batch = 0; batch < kMessages / 100; ++batch) {
      std::vector<Message> messages;
      for (int i = 0; i < 100; ++i)
        messages.push_back(message("M" + std::to_string(batch * 100 + i)));
      co_await publish(*bus_, *db_, std::move(messages));
    }
  });
  for (int w = 0; w < 2; ++w) {
    spawn([&, w]() -> asio::awaitable<void> {
      while (static_cast<int>(seen.size()) < kMessages && Clock::now() < deadline) {
        std::vector<Delivery> got = co_await workers[w]->fetch("hooks", 50, milliseconds(200));
        for (const Delivery& d : got) {
          ++seen[d.message.id];
          ++per_worker[w];
          co_await workers[w]->ack(d);
        }
      }
    });
  }
  run_all();

  EXPECT_EQ(static_cast<int>(seen.size()), kMessages);
  int duplicates = 0;
  for (const auto& [id, count] : seen) duplicates += count - 1;
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(per_worker[0] + per_worker[1], kMessages);
  EXPECT_GT(per_worker[0], 0);
  EXPECT_GT(per_worker[1], 0);
}

std::string kind_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Stores, BusTest, ::testing::Values("sqlite", "postgres"), kind_name);

}  // namespace
}  // namespace irisx::bus
