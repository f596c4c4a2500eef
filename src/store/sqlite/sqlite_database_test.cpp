#include "store/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace irisx::store {
namespace {

namespace asio = boost::asio;

class SqliteGroupCommit : public ::testing::Test {
 protected:
  SqliteGroupCommit()
      : dir_(std::filesystem::temp_directory_path() /
             ("irisx-sqlite-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::create_directories(dir_);
    db_ = open_sqlite((dir_ / "test.db").string(), 2);
    run([this]() -> asio::awaitable<void> {
      co_await db_->exec_script("CREATE TABLE items (name TEXT PRIMARY KEY);");
    });
  }
  ~SqliteGroupCommit() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs every spawned coroutine to completion on `threads` threads.
  void run_all(int threads = 1) {
    std::vector<std::thread> extra;
    for (int i = 1; i < threads; ++i) extra.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : extra) t.join();
    io_.restart();
  }

  // A coroutine lambda's frame points at its closure, so the closure must outlive the
  // coroutine: `call` keeps it alive in its own frame.
  template <class F>
  static asio::awaitable<void> call(std::shared_ptr<F> coroutine) {
    co_await (*coroutine)();
  }

  template <class F>
  void spawn(F coroutine, std::exception_ptr* outcome = nullptr) {
    asio::co_spawn(io_, call(std::make_shared<F>(std::move(coroutine))),
                   [outcome](std::exception_ptr e) {
                     if (outcome != nullptr) *outcome = e;
                   });
  }

  template <class F>
  void run(F coroutine) {
    std::exception_ptr failure;
    spawn(coroutine, &failure);
    run_all();
    if (failure) std::rethrow_exception(failure);
  }

  asio::awaitable<void> insert(std::string name) {
    // Named first: g++ 12 destroys a temporary std::function built inside co_await twice.
    Database::TransactionBody body = [name](Session& s) -> asio::awaitable<void> {
      co_await s.exec("INSERT INTO items (name) VALUES ($1)", args(name));
    };
    co_await db_->transaction(std::move(body));
  }

  // A transaction whose handler writes 'doomed' and then throws std::runtime_error.
  asio::awaitable<void> insert_then_fail() {
    Database::TransactionBody body = [](Session& s) -> asio::awaitable<void> {
      co_await s.exec("INSERT INTO items (name) VALUES ('doomed')");
      throw std::runtime_error("handler failed after writing");
    };
    co_await db_->transaction(std::move(body));
  }

  std::int64_t count_items() {
    std::int64_t n = -1;
    run([&]() -> asio::awaitable<void> {
      n = (co_await db_->exec("SELECT COUNT(*) FROM items")).front().int64(0);
    });
    return n;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteGroupCommit, ManyConcurrentTransactionsAllCommit) {
  std::atomic<int> failures{0};
  for (int i = 0; i < 300; ++i) {
    asio::co_spawn(io_, insert("item-" + std::to_string(i)), [&](std::exception_ptr e) {
      if (e) ++failures;
    });
  }
  run_all(2);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_items(), 300);
}

TEST_F(SqliteGroupCommit, FailedTransactionInABatchRollsBackOnlyItself) {
  std::exception_ptr first, failing, last;
  spawn([this] { return insert("first"); }, &first);
  spawn([this] { return insert_then_fail(); }, &failing);
  spawn([this] { return insert("last"); }, &last);
  run_all();
  EXPECT_FALSE(first);
  EXPECT_FALSE(last);
  ASSERT_TRUE(failing);
  EXPECT_THROW(std::rethrow_exception(failing), std::runtime_error);
  EXPECT_EQ(count_items(), 2);
}

TEST_F(SqliteGroupCommit, FailedLoneTransactionLeavesNoTransactionOpen) {
  run([this] { return insert("taken"); });
  EXPECT_THROW(run([this] { return insert("taken"); }), StoreError);
  // Another process (here: another handle on the same file) must be able to write at once.
  auto other = open_sqlite((dir_ / "test.db").string(), 1);
  run([&]() -> asio::awaitable<void> {
    co_await other->exec("INSERT INTO items (name) VALUES ('from elsewhere')");
  });
  EXPECT_EQ(count_items(), 2);
}

TEST_F(SqliteGroupCommit, ConstraintViolationFailsOnlyTheOffendingTransaction) {
  run([this] { return insert("taken"); });
  std::exception_ptr ok, duplicate;
  spawn([this] { return insert("fresh"); }, &ok);
  spawn([this] { return insert("taken"); }, &duplicate);
  run_all();
  EXPECT_FALSE(ok);
  ASSERT_TRUE(duplicate);
  try {
    std::rethrow_exception(duplicate);
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unique_violation);
  }
  EXPECT_EQ(count_items(), 2);
}

TEST_F(SqliteGroupCommit, WriteIsVisibleToOtherConnectionsWhenTransactionReturns) {
  bool seen = false;
  run([&]() -> asio::awaitable<void> {
    co_await insert("visible");
    // Reads go to the reader pool, a different connection: it sees only committed data.
    auto r = co_await db_->exec("SELECT COUNT(*) FROM items WHERE name = 'visible'");
    seen = r.front().int64(0) == 1;
  });
  EXPECT_TRUE(seen);
}

TEST_F(SqliteGroupCommit, LoneStatementIsCommittedWhenItReturnsEvenWithABatchOpen) {
  std::exception_ptr in_batch;
  bool lone_visible = false;
  spawn([this] { return insert("batched"); }, &in_batch);  // leaves its batch open for now
  spawn([&]() -> asio::awaitable<void> {
    co_await db_->exec("INSERT INTO items (name) VALUES ('lone')");
    auto r = co_await db_->exec("SELECT COUNT(*) FROM items WHERE name = 'lone'");
    lone_visible = r.front().int64(0) == 1;
  });
  run_all();
  EXPECT_FALSE(in_batch);
  EXPECT_TRUE(lone_visible);
  EXPECT_EQ(count_items(), 2);
}

TEST_F(SqliteGroupCommit, FailedFirstMemberStillCommitsTheMembersBehindIt) {
  std::exception_ptr failing, second, third;
  spawn([this] { return insert_then_fail(); }, &failing);
  spawn([this] { return insert("second"); }, &second);
  spawn([this] { return insert("third"); }, &third);
  run_all(2);
  ASSERT_TRUE(failing);
  EXPECT_THROW(std::rethrow_exception(failing), std::runtime_error);
  EXPECT_FALSE(second);
  EXPECT_FALSE(third);
  EXPECT_EQ(count_items(), 2);
}

TEST_F(SqliteGroupCommit, WalIsCopiedIntoTheDatabaseFileWhileTheDatabaseStaysOpen) {
  // About 3,000 pages of rows, three times the checkpoint threshold, so the checkpointer thread
  // (not a close, which also checkpoints) must move at least two thirds into the main file.
  const std::string filler(3000, 'x');
  std::atomic<int> failures{0};
  for (int i = 0; i < 3000; ++i) {
    asio::co_spawn(io_, insert(std::to_string(i) + filler), [&](std::exception_ptr e) {
      if (e) ++failures;
    });
  }
  run_all(2);
  ASSERT_EQ(failures.load(), 0);
  const auto main_file = dir_ / "test.db";
  const std::uintmax_t written = 2000u * 3000u;
  for (int i = 0; i < 200 && std::filesystem::file_size(main_file) < written; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(std::filesystem::file_size(main_file), written);
  EXPECT_EQ(count_items(), 3000);
}

}  // namespace
}  // namespace irisx::store
