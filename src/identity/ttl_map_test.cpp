#include "identity/ttl_map.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace irisx::identity {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A load held open until the test lets it finish, counting how often it ran.
struct HeldLoad {
  explicit HeldLoad(asio::io_context& io) : gate(io, std::chrono::hours(1)) {}
  asio::steady_timer gate;
  int runs = 0;
  bool fail = false;

  auto loader(std::optional<int> result) {
    return [this, result]() -> asio::awaitable<std::optional<int>> {
      ++runs;
      boost::system::error_code ignored;
      co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (fail) throw std::runtime_error("store down");
      co_return result;
    };
  }
};

// What one caller got: its value, or the text of the exception it saw.
struct Answer {
  bool done = false;
  std::optional<int> value;
  std::string error;
};

void ask(asio::io_context& io, TtlMap<int>& map, HeldLoad& load, Answer& answer,
         std::optional<int> result = 7) {
  asio::co_spawn(
      io,
      [&map, &load, &answer, result]() -> asio::awaitable<void> {
        try {
          answer.value = co_await map.get_or_load("key", load.loader(result));
        } catch (const std::exception& e) {
          answer.error = e.what();
        }
        answer.done = true;
      },
      asio::detached);
}

TEST(TtlMap, CallersMissingAKeyTogetherShareOneLoad) {
  asio::io_context io;
  TtlMap<int> map(1h);
  HeldLoad load(io);
  std::vector<Answer> answers(5);
  for (auto& a : answers) ask(io, map, load, a);
  io.poll();  // every caller is now loading or waiting for the load
  EXPECT_EQ(load.runs, 1);
  load.gate.cancel();
  io.run();
  for (const auto& a : answers) {
    EXPECT_TRUE(a.done);
    EXPECT_EQ(a.value, 7);
  }
  EXPECT_EQ(load.runs, 1);
  EXPECT_EQ(map.get("key"), std::optional<std::optional<int>>(7));
}

TEST(TtlMap, WaitersOnAnotherIoContextGetTheLoadersValue) {
  asio::io_context loader_io;
  asio::io_context waiter_io;
  TtlMap<int> map(1h);
  HeldLoad load(loader_io);
  Answer first;
  std::vector<Answer> waiters(3);
  ask(loader_io, map, load, first);
  loader_io.poll();
  for (auto& w : waiters) ask(waiter_io, map, load, w);
  waiter_io.poll();  // the waiters hand their wait to the loader's strand
  loader_io.restart();
  loader_io.poll();  // where they register
  load.gate.cancel();
  for (int i = 0; i < 100 && !(first.done && waiters.back().done); ++i) {
    loader_io.restart();
    loader_io.poll();
    waiter_io.restart();
    waiter_io.poll();
  }
  EXPECT_EQ(first.value, 7);
  for (const auto& w : waiters) {
    EXPECT_TRUE(w.done);
    EXPECT_EQ(w.value, 7);
  }
  EXPECT_EQ(load.runs, 1);
}

TEST(TtlMap, AFailedLoadFailsItsWaitersAndIsNotCached) {
  asio::io_context io;
  TtlMap<int> map(1h);
  HeldLoad load(io);
  load.fail = true;
  std::vector<Answer> answers(3);
  for (auto& a : answers) ask(io, map, load, a);
  io.poll();
  load.gate.cancel();
  io.run();
  for (const auto& a : answers) EXPECT_EQ(a.error, "store down");
  EXPECT_EQ(load.runs, 1);
  EXPECT_FALSE(map.get("key").has_value());

  load.fail = false;
  load.gate.expires_at(asio::steady_timer::time_point::min());  // the next load finishes at once
  Answer again;
  io.restart();
  ask(io, map, load, again);
  io.run();
  EXPECT_EQ(load.runs, 2);
  EXPECT_EQ(again.value, 7);
}

TEST(TtlMap, AnEraseDuringALoadKeepsWhatItReadOutOfTheCache) {
  asio::io_context io;
  TtlMap<int> map(1h);
  HeldLoad load(io);
  Answer before;
  ask(io, map, load, before);
  io.poll();
  map.erase("key");  // e.g. the key was revoked while its lookup was in flight
  load.gate.cancel();
  io.run();
  EXPECT_EQ(before.value, 7);  // that caller asked before the change
  EXPECT_FALSE(map.get("key").has_value());
}

TEST(TtlMap, AnAbsentValueIsCachedAndAnExpiredOneLoadedAgain) {
  asio::io_context io;
  HeldLoad load(io);
  load.gate.expires_at(asio::steady_timer::time_point::min());  // loads finish at once
  TtlMap<int> lasting(1h);
  Answer a;
  Answer b;
  ask(io, lasting, load, a, std::nullopt);
  io.run();
  io.restart();
  ask(io, lasting, load, b, 9);
  io.run();
  EXPECT_FALSE(b.value.has_value());  // the cached "absent"
  EXPECT_EQ(load.runs, 1);

  TtlMap<int> expiring(0ms);
  Answer c;
  Answer d;
  io.restart();
  ask(io, expiring, load, c, 1);
  io.run();
  io.restart();
  ask(io, expiring, load, d, 2);
  io.run();
  EXPECT_EQ(c.value, 1);
  EXPECT_EQ(d.value, 2);
  EXPECT_EQ(load.runs, 3);
}

}  // namespace
}  // namespace irisx::identity
