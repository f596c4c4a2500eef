// NatsBus against a real nats-server -js and a real store (SQLite; one case on PostgreSQL).
#include "bus/nats/nats_bus.hpp"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "app/database_factory.hpp"
#include "common/id.hpp"
#include "store/migrations.hpp"
#include "support/nats_server.hpp"
#include "support/postgres_server.hpp"

namespace irisx::bus {
namespace {

namespace asio = boost::asio;

// ASSERT_* returns, which a coroutine cannot: stop the coroutine instead.
#define CO_ASSERT_EQ(a, b) \
  EXPECT_EQ(a, b);         \
  if (!((a) == (b))) co_return
using std::chrono::milliseconds;
using testing::NatsServer;

std::string test_name() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// A store, a bus and its relay on one io_context; every test uses its own subjects and
// consumer names so tests sharing a nats-server never see each other's messages.
class NatsBusTest : public ::testing::Test {
 protected:
  NatsBusTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("irisx-nats-bus-" + std::to_string(::getpid()) + "-" + test_name())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    subject_ = "events.webhooks." + test_name();
  }
  ~NatsBusTest() override {
    for (auto& relay : relays_) stop_relay(*relay);
    relays_.clear();
    buses_.clear();
    databases_.clear();
    std::filesystem::remove_all(dir_);
  }

  struct Relay {
    Bus* bus;
    bool done = false;
  };

  store::Database& open_store(const std::string& url) {
    databases_.push_back(app::open_database(url, io_.get_executor(), 2));
    auto* db = databases_.back().get();
    run([db]() -> asio::awaitable<void> { co_await store::migrate(*db); });
    return *db;
  }
  store::Database& sqlite(const std::string& name = "bus") {
    return open_store("sqlite:" + (dir_ / (name + ".db")).string());
  }

  Bus& bus(store::Database& db, const std::string& url = NatsServer::shared().url(),
           milliseconds relay_poll = milliseconds(20)) {
    buses_.push_back(make_nats_bus(db, io_.get_executor(), NatsBusOptions{url, relay_poll}));
    return *buses_.back();
  }
  Bus& bus_with_relay(store::Database& db, const std::string& url = NatsServer::shared().url(),
                      milliseconds relay_poll = milliseconds(20)) {
    Bus& b = bus(db, url, relay_poll);
    relays_.push_back(std::make_unique<Relay>(Relay{&b}));
    auto* relay = relays_.back().get();
    asio::co_spawn(io_, b.run(), [relay](std::exception_ptr) { relay->done = true; });
    return b;
  }
  void stop_relay(Relay& relay) {
    relay.bus->stop();
    if (!pump_until([&] { return relay.done; }, std::chrono::seconds(10)))
      ADD_FAILURE() << "relay did not stop";
  }

  template <class F>
  static asio::awaitable<void> call(std::shared_ptr<F> coroutine) {
    co_await (*coroutine)();
  }

  // Runs the io_context (relays included) until the coroutine is done.
  template <class F>
  void run(F coroutine) {
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(io_, call(std::make_shared<F>(std::move(coroutine))), [&](std::exception_ptr e) {
      failure = e;
      done = true;
    });
    // A coroutine left running would outlive `done` and `failure`.
    if (!pump_until([&] { return done; }, std::chrono::seconds(60))) std::abort();
    if (failure) std::rethrow_exception(failure);
  }

  bool pump_until(const std::function<bool()>& done, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      // The context stops whenever it runs out of work, e.g. between two run() calls.
      if (io_.stopped()) io_.restart();
      io_.run_one_for(milliseconds(50));
    }
    return true;
  }

  static asio::awaitable<void> sleep(milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
  }

  static asio::awaitable<void> publish(store::Database* db, Bus* b, Message m) {
    store::Database::TransactionBody body = [b, m](store::Session& tx) -> asio::awaitable<void> {
      co_await b->publish(tx, m);
    };
    co_await db->transaction(std::move(body));
  }

  static asio::awaitable<std::int64_t> count(store::Database* db, std::string table) {
    auto r = co_await db->exec("SELECT COUNT(*) FROM " + table);
    co_return r.front().int64(0);
  }

  // Waits for the relay to empty the outbox.
  static asio::awaitable<void> drained(store::Database* db, milliseconds limit) {
    for (auto waited = milliseconds(0); waited < limit; waited += milliseconds(20)) {
      if (co_await count(db, "bus_outbox") == 0) co_return;
      co_await sleep(milliseconds(20));
    }
    throw std::runtime_error("outbox not drained");
  }

  void expect_committed_message_is_relayed_and_delivered(store::Database& db) {
    auto& b = bus_with_relay(db);
    auto m = message(R"({"user":"US1"})");
    run([&]() -> asio::awaitable<void> {
      co_await b.declare(consumer());
      co_await publish(&db, &b, m);
      co_await drained(&db, milliseconds(5000));
      auto got = co_await b.fetch(consumer().name, 10, milliseconds(2000));
      CO_ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].consumer, consumer().name);
      EXPECT_EQ(got[0].message.id, m.id);
      EXPECT_EQ(got[0].message.subject, m.subject);
      EXPECT_EQ(got[0].message.payload, m.payload);
      EXPECT_EQ(got[0].attempt, 1);
      co_await b.ack(got[0]);
      auto none1 = co_await b.fetch(consumer().name, 10, milliseconds(300));
      EXPECT_TRUE(none1.empty());
    });
  }

  ConsumerSpec consumer(milliseconds ack_wait = milliseconds(30000), int max_deliveries = -1) {
    return ConsumerSpec{"c-" + test_name(), "WEBHOOKS", subject_, max_deliveries, ack_wait};
  }
  Message message(const std::string& payload = R"({"n":1})") {
    return Message{new_id("EV"), subject_, payload};
  }

  asio::io_context io_;
  std::filesystem::path dir_;
  std::string subject_;
  std::vector<std::unique_ptr<store::Database>> databases_;
  std::vector<std::unique_ptr<Bus>> buses_;
  std::vector<std::unique_ptr<Relay>> relays_;
};

struct StreamFacts {
  std::vector<std::string> subjects;
  std::int64_t max_age_ns = 0;
  std::int64_t duplicates_ns = 0;
  jsStorageType storage = js_MemoryStorage;
};

// Read straight from the server, not through the bus under test.
StreamFacts stream_facts(const std::string& url, const std::string& stream) {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* si = nullptr;
  StreamFacts facts;
  if (natsConnection_ConnectTo(&nc, url.c_str()) == NATS_OK &&
      natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
      js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
    for (int i = 0; i < si->Config->SubjectsLen; ++i)
      facts.subjects.emplace_back(si->Config->Subjects[i]);
    facts.max_age_ns = si->Config->MaxAge;
    facts.duplicates_ns = si->Config->Duplicates;
    facts.storage = si->Config->Storage;
  }
  jsStreamInfo_Destroy(si);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return facts;
}

TEST_F(NatsBusTest, CreatesTheFourStreamsWithSevenDayFileRetentionIdempotently) {
  auto& db = sqlite();
  bus(db);
  bus(db);  // a second process starting against the same server
  const std::pair<const char*, const char*> expected[] = {{"CALLS", "events.calls.*"},
                                                          {"SMS", "events.sms.*"},
                                                          {"EMAILS", "events.emails.*"},
                                                          {"WEBHOOKS", "events.webhooks.*"}};
  for (const auto& [name, subjects] : expected) {
    auto facts = stream_facts(NatsServer::shared().url(), name);
    EXPECT_EQ(facts.subjects, std::vector<std::string>{subjects}) << name;
    EXPECT_EQ(facts.max_age_ns, std::int64_t{7} * 24 * 3600 * 1000000000) << name;
    EXPECT_EQ(facts.duplicates_ns, std::int64_t{120} * 1000000000) << name;
    EXPECT_EQ(facts.storage, js_FileStorage) << name;
  }
}

TEST_F(NatsBusTest, UnreachableServerFailsAtStartWithTheUrl) {
  auto& db = sqlite();
  std::string url = "nats://127.0.0.1:" + std::to_string(testing::free_port());
  try {
    make_nats_bus(db, io_.get_executor(), NatsBusOptions{url});
    FAIL() << "connected to nothing";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
  }
}

TEST_F(NatsBusTest, RolledBackPublishNeverReachesTheStream) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  auto lost = message(R"({"lost":true})");
  auto kept = message(R"({"kept":true})");
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer());
    store::Database::TransactionBody failing = [&b,
                                                lost](store::Session& tx) -> asio::awaitable<void> {
      co_await b.publish(tx, lost);
      throw std::runtime_error("roll back");
    };
    bool rolled_back = false;
    try {
      co_await db.transaction(std::move(failing));
    } catch (const std::runtime_error&) {
      rolled_back = true;
    }
    EXPECT_TRUE(rolled_back);
    co_await publish(&db, &b, kept);
    co_await drained(&db, milliseconds(5000));
    auto got = co_await b.fetch(consumer().name, 10, milliseconds(2000));
    CO_ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.id, kept.id);
    co_await b.ack(got[0]);
    auto none2 = co_await b.fetch(consumer().name, 10, milliseconds(300));
    EXPECT_TRUE(none2.empty());
  });
}

TEST_F(NatsBusTest, CommittedMessageIsRelayedThenFetchedWithItsIdAndPayload) {
  expect_committed_message_is_relayed_and_delivered(sqlite());
}

TEST_F(NatsBusTest, CommittedMessageIsRelayedFromPostgres) {
  expect_committed_message_is_relayed_and_delivered(
      open_store(testing::PostgresServer::shared().url()));
}

TEST_F(NatsBusTest, MessageRelayedByTwoProcessesIsDeliveredOnce) {
  // Two processes whose outboxes both hold the same message, as when one relay published it
  // but crashed before deleting the row and another relay picked it up.
  auto& first = sqlite("first");
  auto& second = sqlite("second");
  auto& bus_a = bus_with_relay(first);
  auto& bus_b = bus_with_relay(second);
  auto m = message();
  run([&]() -> asio::awaitable<void> {
    co_await bus_a.declare(consumer());
    co_await publish(&first, &bus_a, m);
    co_await drained(&first, milliseconds(5000));
    co_await publish(&second, &bus_b, m);
    co_await drained(&second, milliseconds(5000));
    auto got = co_await bus_a.fetch(consumer().name, 10, milliseconds(2000));
    CO_ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.id, m.id);
    co_await bus_a.ack(got[0]);
    auto none3 = co_await bus_a.fetch(consumer().name, 10, milliseconds(500));
    EXPECT_TRUE(none3.empty());
  });
}

TEST_F(NatsBusTest, RetryRedeliversAfterTheDelayAsAttemptTwo) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  auto m = message();
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer());
    co_await publish(&db, &b, m);
    auto first = co_await b.fetch(consumer().name, 1, milliseconds(5000));
    CO_ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].attempt, 1);
    auto retried_at = std::chrono::steady_clock::now();
    co_await b.retry(first[0], milliseconds(800));
    auto none4 = co_await b.fetch(consumer().name, 1, milliseconds(300));
    EXPECT_TRUE(none4.empty());
    auto again = co_await b.fetch(consumer().name, 1, milliseconds(5000));
    CO_ASSERT_EQ(again.size(), 1u);
    EXPECT_GE(std::chrono::steady_clock::now() - retried_at, milliseconds(700));
    EXPECT_EQ(again[0].message.id, m.id);
    EXPECT_EQ(again[0].attempt, 2);
    co_await b.ack(again[0]);
  });
}

TEST_F(NatsBusTest, DeliveryNotSettledWithinAckWaitIsHandedOutAgain) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  auto m = message();
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer(milliseconds(700)));
    co_await publish(&db, &b, m);
    auto first = co_await b.fetch(consumer().name, 1, milliseconds(5000));
    CO_ASSERT_EQ(first.size(), 1u);
    // The worker "crashes": no ack, no retry.
    auto again = co_await b.fetch(consumer().name, 1, milliseconds(5000));
    CO_ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].message.id, m.id);
    EXPECT_EQ(again[0].attempt, 2);
    co_await b.ack(again[0]);
  });
}

// Webhook retries wait for up to 10 h as NAKs with a delay, and JetStream counts those as
// pending acks: under its default limit of 1,000 a consumer holding that many stopped handing
// out anything new, so one endpoint failing for long enough stalled every other endpoint.
TEST_F(NatsBusTest, RetriesWaitingOutLongDelaysDoNotHoldBackNewMessages) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  constexpr int kWaiting = 1100;
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer());
    for (int i = 0; i < kWaiting / 100; ++i) {
      store::Database::TransactionBody body = [&](store::Session& tx) -> asio::awaitable<void> {
        for (int j = 0; j < 100; ++j) co_await b.publish(tx, message());
      };
      co_await db.transaction(std::move(body));
    }
    co_await drained(&db, milliseconds(20000));
    int retried = 0;
    while (retried < kWaiting) {
      auto got = co_await b.fetch(consumer().name, 250, milliseconds(2000));
      if (got.empty()) break;  // none handed out: held back
      for (auto& d : got) {
        co_await b.retry(d, std::chrono::hours(1));
        ++retried;
      }
    }
    CO_ASSERT_EQ(retried, kWaiting);
    auto fresh = message(R"({"fresh":true})");
    co_await publish(&db, &b, fresh);
    auto next = co_await b.fetch(consumer().name, 10, milliseconds(5000));
    CO_ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].message.id, fresh.id);
    co_await b.ack(next[0]);
  });
}

TEST_F(NatsBusTest, StoppingRelaysWhatWasCommittedBeforeTheStop) {
  auto& db = sqlite();
  // Its relay looks at the outbox once at start and then not for an hour.
  auto& b = bus_with_relay(db, NatsServer::shared().url(), std::chrono::hours(1));
  auto m = message();
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer());
    co_await sleep(milliseconds(200));  // past the relay's first look
    co_await publish(&db, &b, m);
  });
  stop_relay(*relays_.back());
  relays_.pop_back();
  run([&]() -> asio::awaitable<void> {
    EXPECT_EQ(co_await count(&db, "bus_outbox"), 0);
    auto got = co_await b.fetch(consumer().name, 10, milliseconds(5000));
    CO_ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.id, m.id);
    co_await b.ack(got[0]);
  });
}

// As on the embedded bus: handed out max_deliveries times without being settled, a message
// goes to the store's dead letters rather than vanishing when JetStream stops redelivering.
TEST_F(NatsBusTest, MessagePastMaxDeliveriesGoesToTheDeadLetters) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  auto m = message(R"({"n":2})");
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer(milliseconds(400), 2));
    co_await publish(&db, &b, m);
    auto first = co_await b.fetch(consumer().name, 10, milliseconds(5000));
    CO_ASSERT_EQ(first.size(), 1u);
    auto second = co_await b.fetch(consumer().name, 10, milliseconds(5000));
    CO_ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].attempt, 2);
    auto none = co_await b.fetch(consumer().name, 10, milliseconds(1500));
    EXPECT_TRUE(none.empty());
    auto rows = co_await db.exec(
        "SELECT consumer, msg_id, payload, attempts, reason FROM bus_dead_letters");
    CO_ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.front().text(0), consumer().name);
    EXPECT_EQ(rows.front().text(1), m.id);
    EXPECT_EQ(rows.front().text(2), m.payload);
    EXPECT_EQ(rows.front().int64(3), 2);
    EXPECT_EQ(rows.front().text(4), "max deliveries exceeded");
    auto later = co_await b.fetch(consumer().name, 10, milliseconds(1000));
    EXPECT_TRUE(later.empty());  // terminated on the server too
  });
}

TEST_F(NatsBusTest, DeadLetterKeepsTheMessageInTheStoreAndStopsRedelivery) {
  auto& db = sqlite();
  auto& b = bus_with_relay(db);
  auto m = message(R"({"poison":true})");
  run([&]() -> asio::awaitable<void> {
    co_await b.declare(consumer(milliseconds(500)));
    co_await publish(&db, &b, m);
    auto got = co_await b.fetch(consumer().name, 1, milliseconds(5000));
    CO_ASSERT_EQ(got.size(), 1u);
    co_await b.dead_letter(got[0], "endpoint returned 410");
    auto rows = co_await db.exec(
        "SELECT consumer, msg_id, subject, payload, attempts, reason, id FROM bus_dead_letters");
    CO_ASSERT_EQ(rows.rows.size(), 1u);
    const auto& row = rows.front();
    EXPECT_EQ(row.text(0), consumer().name);
    EXPECT_EQ(row.text(1), m.id);
    EXPECT_EQ(row.text(2), m.subject);
    EXPECT_EQ(row.text(3), m.payload);
    EXPECT_EQ(row.int64(4), 1);
    EXPECT_EQ(row.text(5), "endpoint returned 410");
    EXPECT_TRUE(is_id(row.text(6), "DL"));
    // Past ack_wait: a terminated message is not handed out again.
    auto none5 = co_await b.fetch(consumer().name, 1, milliseconds(1500));
    EXPECT_TRUE(none5.empty());
  });
}

TEST_F(NatsBusTest, MessagesCommittedWhileNatsIsDownAreRelayedWhenItReturns) {
  NatsServer server;  // its own, so stopping it disturbs no other test
  auto& db = sqlite();
  auto& b = bus_with_relay(db, server.url());
  std::vector<Message> sent{message(R"({"n":1})"), message(R"({"n":2})"), message(R"({"n":3})")};
  run([&]() -> asio::awaitable<void> { co_await b.declare(consumer()); });
  server.stop();
  run([&]() -> asio::awaitable<void> {
    for (const auto& m : sent) co_await publish(&db, &b, m);
    co_await sleep(milliseconds(1000));  // the relay tries and fails meanwhile
    auto waiting = co_await count(&db, "bus_outbox");
    EXPECT_EQ(waiting, 3);
  });
  server.start();
  run([&]() -> asio::awaitable<void> {
    co_await drained(&db, milliseconds(20000));
    std::set<std::string> ids;
    for (int i = 0; i < 10 && ids.size() < sent.size(); ++i) {
      auto got = co_await b.fetch(consumer().name, 10, milliseconds(1000));
      for (auto& d : got) {
        ids.insert(d.message.id);
        co_await b.ack(d);
      }
    }
    EXPECT_EQ(ids, (std::set<std::string>{sent[0].id, sent[1].id, sent[2].id}));
  });
}

}  // namespace
}  // namespace irisx::bus
