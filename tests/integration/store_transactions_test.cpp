// The transaction contract of store::Database (src/store/database.hpp) on both stores, with
// one pooled connection so that every transaction reuses the connection the previous one left:
// deferred statements commit with the transaction, a deferred failure is raised by the next
// exec() or by the commit and undoes the whole transaction, and no failure leaves the
// connection unusable (PostgreSQL pipelines a transaction's statements).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/database_factory.hpp"
#include "integration/store_urls.hpp"

namespace irisx::store {
namespace {

namespace asio = boost::asio;

class StoreTransactions : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = app::open_database(irisx::testing::fresh_store_url(GetParam(), "tx", dir_),
                             io_.get_executor(), 1);
    run([this]() -> asio::awaitable<void> {
      co_await db_->exec_script("CREATE TABLE items (name TEXT PRIMARY KEY)");
      co_await db_->exec("INSERT INTO items (name) VALUES ('existing')");
    });
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A coroutine lambda's frame points at its closure, so `call` keeps the closure alive.
  template <class F>
  static asio::awaitable<void> call(std::shared_ptr<F> coroutine) {
    co_await (*coroutine)();
  }

  template <class F>
  void run(F coroutine) {
    std::exception_ptr failure;
    asio::co_spawn(io_, call(std::make_shared<F>(std::move(coroutine))),
                   [&](std::exception_ptr e) { failure = e; });
    io_.run();
    io_.restart();
    if (failure) std::rethrow_exception(failure);
  }

  // Runs `body` as a transaction; returns what it threw, or null.
  std::exception_ptr transaction(Database::TransactionBody body) {
    try {
      run([&]() -> asio::awaitable<void> { co_await db_->transaction(body); });
    } catch (...) {
      return std::current_exception();
    }
    return nullptr;
  }

  // Starts `body` as a transaction without running it; what it threw (or null) lands in
  // `*outcome` once the io_context has run. Transactions started together arrive together.
  void start(Database::TransactionBody body, std::exception_ptr* outcome) {
    asio::co_spawn(
        io_, [this, body]() -> asio::awaitable<void> { co_await db_->transaction(body); },
        [outcome](std::exception_ptr e) { *outcome = e; });
  }
  void run_started() {
    io_.run();
    io_.restart();
  }
  void run_started_on_two_threads() {
    std::thread second([this] { io_.run(); });
    io_.run();
    second.join();
    io_.restart();
  }

  static Database::TransactionBody insert(std::string name) {
    return [name](Session& s) -> asio::awaitable<void> {
      co_await s.exec("INSERT INTO items (name) VALUES ($1)", args(name));
    };
  }

  std::vector<std::string> names() {
    std::vector<std::string> out;
    run([&]() -> asio::awaitable<void> {
      for (const auto& row : (co_await db_->exec("SELECT name FROM items ORDER BY name")).rows)
        out.push_back(row.text(0));
    });
    return out;
  }

  static ErrorKind kind_of(std::exception_ptr failure) {
    try {
      std::rethrow_exception(std::move(failure));
    } catch (const StoreError& e) {
      return e.kind();
    } catch (...) {
      ADD_FAILURE() << "not a StoreError";
    }
    return ErrorKind::other;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  std::unique_ptr<Database> db_;
};

using Names = std::vector<std::string>;

TEST_P(StoreTransactions, DeferredStatementsAreSeenByTheNextStatementAndCommitted) {
  std::int64_t seen_inside = -1;
  EXPECT_FALSE(transaction([&](Session& s) -> asio::awaitable<void> {
    s.defer("INSERT INTO items (name) VALUES ($1)", args("a"));
    s.defer("INSERT INTO items (name) VALUES ($1)", args("b"));
    seen_inside = (co_await s.exec("SELECT COUNT(*) FROM items")).front().int64(0);
  }));
  EXPECT_EQ(seen_inside, 3);
  EXPECT_EQ(names(), (Names{"a", "b", "existing"}));
}

TEST_P(StoreTransactions, ADeferredFailureIsRaisedByTheNextExecAndUndoesTheTransaction) {
  bool reached_after = false;
  std::exception_ptr failure = transaction([&](Session& s) -> asio::awaitable<void> {
    co_await s.exec("INSERT INTO items (name) VALUES ('before')");
    s.defer("INSERT INTO items (name) VALUES ('existing')");  // primary key taken
    s.defer("INSERT INTO items (name) VALUES ('skipped')");
    co_await s.exec("SELECT COUNT(*) FROM items");
    reached_after = true;
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(kind_of(failure), ErrorKind::unique_violation);
  EXPECT_FALSE(reached_after);
  EXPECT_EQ(names(), Names{"existing"});
}

TEST_P(StoreTransactions, ADeferredFailureAtTheEndFailsTheCommitAndUndoesTheTransaction) {
  std::exception_ptr failure = transaction([&](Session& s) -> asio::awaitable<void> {
    co_await s.exec("INSERT INTO items (name) VALUES ('before')");
    s.defer("INSERT INTO items (name) VALUES ('existing')");
    co_return;
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(kind_of(failure), ErrorKind::unique_violation);
  EXPECT_EQ(names(), Names{"existing"});
}

TEST_P(StoreTransactions, ABodyThrowingAfterDeferredStatementsUndoesThemAndItsErrorWins) {
  std::exception_ptr failure = transaction([&](Session& s) -> asio::awaitable<void> {
    s.defer("INSERT INTO items (name) VALUES ('deferred')");
    throw std::runtime_error("the handler changed its mind");
    co_return;
  });
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), std::runtime_error);
  EXPECT_FALSE(transaction([&](Session& s) -> asio::awaitable<void> {
    co_await s.exec("INSERT INTO items (name) VALUES ('next')");
  }));
  EXPECT_EQ(names(), (Names{"existing", "next"}));
}

TEST_P(StoreTransactions, AStatementThatDoesNotCompileFailsEachTimeAndSparesTheConnection) {
  // On PostgreSQL the statement is prepared inside the pipeline; a failed Parse must not be
  // remembered as prepared, or the second attempt would fail differently.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::exception_ptr failure = transaction([&](Session& s) -> asio::awaitable<void> {
      s.defer("INSERT INTO no_such_table (name) VALUES ('x')");
      co_await s.exec("INSERT INTO items (name) VALUES ('undone')");
    });
    ASSERT_TRUE(failure) << "attempt " << attempt;
    try {
      std::rethrow_exception(failure);
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(transaction([&](Session& s) -> asio::awaitable<void> {
    s.defer("INSERT INTO items (name) VALUES ('after')");
    co_return;
  }));
  EXPECT_EQ(names(), (Names{"after", "existing"}));
}

TEST_P(StoreTransactions, ConcurrentTransactionsFromTwoThreadsAllCommit) {
  std::atomic<int> failures{0};
  for (int i = 0; i < 200; ++i) {
    Database::TransactionBody body = [i](Session& s) -> asio::awaitable<void> {
      s.defer("INSERT INTO items (name) VALUES ($1)", args("n" + std::to_string(i)));
      co_await s.exec("SELECT COUNT(*) FROM items");
    };
    asio::co_spawn(
        io_, [this, body]() -> asio::awaitable<void> { co_await db_->transaction(body); },
        [&](std::exception_ptr e) {
          if (e) ++failures;
        });
  }
  run_started_on_two_threads();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(names().size(), 201u);
}

TEST_P(StoreTransactions, TransactionsArrivingTogetherFailAloneAndTheOthersCommit) {
  std::exception_ptr first, deferred_duplicate, thrown, last;
  start(insert("a"), &first);
  start(
      [](Session& s) -> asio::awaitable<void> {
        co_await s.exec("INSERT INTO items (name) VALUES ('b')");
        s.defer("INSERT INTO items (name) VALUES ('existing')");  // fails after the body
      },
      &deferred_duplicate);
  start(
      [](Session& s) -> asio::awaitable<void> {
        s.defer("INSERT INTO items (name) VALUES ('c')");
        throw std::runtime_error("the handler changed its mind");
        co_return;
      },
      &thrown);
  start(insert("d"), &last);
  run_started();
  EXPECT_FALSE(first);
  ASSERT_TRUE(deferred_duplicate);
  EXPECT_EQ(kind_of(deferred_duplicate), ErrorKind::unique_violation);
  ASSERT_TRUE(thrown);
  EXPECT_THROW(std::rethrow_exception(thrown), std::runtime_error);
  EXPECT_FALSE(last);
  EXPECT_EQ(names(), (Names{"a", "d", "existing"}));
}

TEST_P(StoreTransactions, TransactionsArrivingTogetherOnPostgresShareOneCommit) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite has no transaction ids to compare";
  std::vector<std::int64_t> ids(5, 0);
  std::vector<std::exception_ptr> outcomes(5);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    start(
        [&ids, i](Session& s) -> asio::awaitable<void> {
          co_await s.exec("INSERT INTO items (name) VALUES ($1)", args("m" + std::to_string(i)));
          ids[i] = (co_await s.exec("SELECT txid_current()")).front().int64(0);
        },
        &outcomes[i]);
  }
  run_started();
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome);
  for (std::int64_t id : ids) EXPECT_EQ(id, ids[0]);  // one top-level transaction
  EXPECT_NE(ids[0], 0);
  EXPECT_EQ(names().size(), 6u);
}

TEST_P(StoreTransactions, AFailedCommitOnPostgresFailsEveryMemberOfItsBatchAndKeepsNothing) {
  if (GetParam() != "postgres") GTEST_SKIP() << "batches are formed by timing on SQLite";
  run([this]() -> asio::awaitable<void> {
    co_await db_->exec_script(
        "CREATE TABLE once (v TEXT, CONSTRAINT once_v UNIQUE (v) DEFERRABLE INITIALLY DEFERRED);"
        "INSERT INTO once (v) VALUES ('taken')");
  });
  std::exception_ptr before, violating, after;
  start(insert("before"), &before);
  start(
      [](Session& s) -> asio::awaitable<void> {
        co_await s.exec("INSERT INTO once (v) VALUES ('taken')");  // checked at COMMIT
      },
      &violating);
  start(insert("after"), &after);
  run_started();
  EXPECT_TRUE(before);
  EXPECT_TRUE(violating);
  EXPECT_TRUE(after);
  EXPECT_EQ(names(), Names{"existing"});
  // The connection the batch used serves the next transaction.
  EXPECT_FALSE(transaction(insert("next")));
  EXPECT_EQ(names(), (Names{"existing", "next"}));
}

TEST_P(StoreTransactions, LoneStatementsFromTwoThreadsShareTheOneConnectionAndAllAnswer) {
  // Every statement but one at a time waits for the pool's only connection, so each release
  // must wake a waiter: a wake-up lost between a waiter's registration and its wait left it
  // asleep until the pool's 10 s deadline, and its statement failed.
  std::atomic<int> answered{0};
  std::atomic<int> failures{0};
  for (int i = 0; i < 400; ++i) {
    asio::co_spawn(
        io_,
        [this, &answered]() -> asio::awaitable<void> {
          const Result r = co_await db_->exec("SELECT COUNT(*) FROM items");
          if (r.front().int64(0) == 1) ++answered;
        },
        [&](std::exception_ptr e) {
          if (e) ++failures;
        });
  }
  run_started_on_two_threads();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(answered.load(), 400);
}

TEST_P(StoreTransactions, ALostPostgresConnectionFailsItsBatchAndTheNextTransactionReconnects) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite has no server connection to lose";
  std::exception_ptr killer, waiting_behind;
  start(
      [](Session& s) -> asio::awaitable<void> {
        co_await s.exec("INSERT INTO items (name) VALUES ('lost')");
        co_await s.exec("SELECT pg_terminate_backend(pg_backend_pid())");  // its own server
      },
      &killer);
  start(insert("behind"), &waiting_behind);
  run_started();
  ASSERT_TRUE(killer);
  EXPECT_EQ(kind_of(killer), ErrorKind::unavailable);
  ASSERT_TRUE(waiting_behind);
  EXPECT_EQ(kind_of(waiting_behind), ErrorKind::unavailable);
  EXPECT_FALSE(transaction(insert("next")));
  EXPECT_EQ(names(), (Names{"existing", "next"}));
}

RowInsert item_rows(std::vector<std::string> names) {
  Params values(names.begin(), names.end());
  return RowInsert{"INSERT INTO items (name) VALUES ", "($1)", 1, "", std::move(values)};
}

// Inserts one item per name it was handed, and counts its runs.
class ItemStep final : public CommitStep {
 public:
  ItemStep(const int* kind, std::string name, int* runs) : kind_(kind), runs_(runs) {
    names_.push_back(std::move(name));
  }
  const void* merge_key() const override { return kind_; }
  void merge(CommitStep& other) override {
    auto& more = static_cast<ItemStep&>(other).names_;
    names_.insert(names_.end(), more.begin(), more.end());
    more.clear();
  }
  asio::awaitable<void> run(Session& tx) override {
    ++*runs_;
    tx.insert_rows(item_rows(names_));
    co_return;
  }

 private:
  const int* kind_;
  int* runs_;
  std::vector<std::string> names_;
};

TEST_P(StoreTransactions, InsertedRowsCommitWithTheirTransactionAndAreVisibleAfterIt) {
  EXPECT_FALSE(transaction([](Session& s) -> asio::awaitable<void> {
    s.insert_rows(item_rows({"r1", "r2"}));
    co_return;
  }));
  EXPECT_EQ(names(), (Names{"existing", "r1", "r2"}));
}

TEST_P(StoreTransactions,
       RowsOfTransactionsArrivingTogetherAreInsertedAndOnPostgresByOneStatement) {
  if (GetParam() == "postgres") {
    run([this]() -> asio::awaitable<void> {
      co_await db_->exec_script(
          "CREATE TABLE inserts (n INTEGER NOT NULL); INSERT INTO inserts VALUES (0);"
          "CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS "
          "$$ BEGIN UPDATE inserts SET n = n + 1; RETURN NULL; END $$;"
          "CREATE TRIGGER items_inserts AFTER INSERT ON items FOR EACH STATEMENT "
          "EXECUTE FUNCTION count_insert()");
    });
  }
  std::vector<std::exception_ptr> outcomes(5);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    start(
        [i](Session& s) -> asio::awaitable<void> {
          s.insert_rows(item_rows({"r" + std::to_string(i)}));
          co_return;
        },
        &outcomes[i]);
  }
  run_started();
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome);
  EXPECT_EQ(names(), (Names{"existing", "r0", "r1", "r2", "r3", "r4"}));
  if (GetParam() == "postgres") {
    std::int64_t statements = 0;
    run([&]() -> asio::awaitable<void> {
      statements = (co_await db_->exec("SELECT n FROM inserts")).front().int64(0);
    });
    EXPECT_EQ(statements, 1);
  }
}

TEST_P(StoreTransactions, AFailingInsertedRowFailsEveryTransactionItsRowsWereInsertedWith) {
  std::exception_ptr before, duplicate, after;
  start(
      [](Session& s) -> asio::awaitable<void> {
        s.insert_rows(item_rows({"before"}));
        co_return;
      },
      &before);
  start(
      [](Session& s) -> asio::awaitable<void> {
        s.insert_rows(item_rows({"existing"}));
        co_return;
      },
      &duplicate);
  start(
      [](Session& s) -> asio::awaitable<void> {
        s.insert_rows(item_rows({"after"}));
        co_return;
      },
      &after);
  run_started();
  ASSERT_TRUE(duplicate);
  if (GetParam() == "postgres") {
    // One statement for the batch's rows: its failure is all of theirs, and nothing is kept.
    // The others see the store unavailable, not a conflict of theirs to report (a 409).
    ASSERT_TRUE(before);
    ASSERT_TRUE(after);
    EXPECT_EQ(kind_of(before), ErrorKind::unavailable);
    EXPECT_EQ(kind_of(after), ErrorKind::unavailable);
    EXPECT_EQ(names(), Names{"existing"});
  } else {
    EXPECT_FALSE(before);
    EXPECT_FALSE(after);
    EXPECT_EQ(names(), (Names{"after", "before", "existing"}));
  }
  EXPECT_FALSE(transaction(insert("next")));  // the store goes on
}

TEST_P(StoreTransactions, RowsAndStepsOfATransactionThatThrowsAreDropped) {
  int runs = 0;
  const int kind = 0;
  std::exception_ptr thrown, kept;
  start(
      [&](Session& s) -> asio::awaitable<void> {
        s.insert_rows(item_rows({"dropped row"}));
        s.before_commit(std::make_unique<ItemStep>(&kind, "dropped step", &runs));
        throw std::runtime_error("the handler changed its mind");
        co_return;
      },
      &thrown);
  start(insert("kept"), &kept);
  run_started();
  EXPECT_TRUE(thrown);
  EXPECT_FALSE(kept);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(names(), (Names{"existing", "kept"}));
}

TEST_P(StoreTransactions, CommitStepsOfOneKindMergeAndOnPostgresRunOnceForTheirBatch) {
  int runs = 0;
  const int kind = 0;
  std::vector<std::exception_ptr> outcomes(4);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    start(
        [&, i](Session& s) -> asio::awaitable<void> {
          s.before_commit(std::make_unique<ItemStep>(&kind, "s" + std::to_string(i), &runs));
          co_return;
        },
        &outcomes[i]);
  }
  run_started();
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome);
  EXPECT_EQ(names(), (Names{"existing", "s0", "s1", "s2", "s3"}));
  EXPECT_EQ(runs, GetParam() == "postgres" ? 1 : 4);
}

// Reads a table that does not exist.
class FailingStep final : public CommitStep {
 public:
  explicit FailingStep(const int* kind) : kind_(kind) {}
  const void* merge_key() const override { return kind_; }
  void merge(CommitStep&) override {}
  asio::awaitable<void> run(Session& tx) override {
    co_await tx.exec("SELECT * FROM no_such_table");
  }

 private:
  const int* kind_;
};

TEST_P(StoreTransactions, AFailingCommitStepFailsTheTransactionsItRanForAndKeepsNothingOfThem) {
  const int kind = 0;
  std::vector<std::exception_ptr> outcomes(3);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    start(
        [&, i](Session& s) -> asio::awaitable<void> {
          s.insert_rows(item_rows({"f" + std::to_string(i)}));
          s.before_commit(std::make_unique<FailingStep>(&kind));
          co_return;
        },
        &outcomes[i]);
  }
  run_started();
  for (const auto& outcome : outcomes) EXPECT_TRUE(outcome);
  EXPECT_EQ(names(), Names{"existing"});
  EXPECT_FALSE(transaction(insert("next")));  // the connection serves the next transaction
  EXPECT_EQ(names(), (Names{"existing", "next"}));
}

TEST_P(StoreTransactions, InsertedRowsGoInTheOrderTheirTablesFirstCameSoParentsPrecedeChildren) {
  run([this]() -> asio::awaitable<void> {
    co_await db_->exec_script(
        "CREATE TABLE children (name TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES items "
        "(name))");
  });
  std::vector<std::exception_ptr> outcomes(3);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    start(
        [i](Session& s) -> asio::awaitable<void> {
          const std::string parent = "p" + std::to_string(i);
          s.insert_rows(item_rows({parent}));
          s.insert_rows(RowInsert{"INSERT INTO children (name, parent) VALUES ", "($1, $2)", 2, "",
                                  args("c" + std::to_string(i), parent)});
          co_return;
        },
        &outcomes[i]);
  }
  run_started();
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome);
  std::int64_t children = 0;
  run([&]() -> asio::awaitable<void> {
    children = (co_await db_->exec("SELECT COUNT(*) FROM children")).front().int64(0);
  });
  EXPECT_EQ(children, 3);
}

std::string store_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTransactions, ::testing::Values("sqlite", "postgres"),
                         store_name);

}  // namespace
}  // namespace irisx::store
