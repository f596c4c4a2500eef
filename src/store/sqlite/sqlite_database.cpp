#include "store/sqlite/sqlite_database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_checkpointer.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace irisx::store {
namespace {

namespace asio = boost::asio;
using sqlite::Connection;

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(Connection& conn) : conn_(conn) {}
  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    co_return conn_.exec(sql, params);
  }
  void defer(std::string sql, Params params) override { conn_.exec(sql, params); }
  void before_commit(std::unique_ptr<CommitStep> step) override {
    add_step(steps_, std::move(step));
  }
  // Inside the transaction's savepoint: its steps fail it alone.
  boost::asio::awaitable<void> run_steps() { co_await store::run_steps(steps_, *this); }

 private:
  Connection& conn_;
  std::vector<std::unique_ptr<CommitStep>> steps_;
};

// All writes run on one writer thread that owns the write connection, so request threads
// never block on a write lock: a transaction hops there, and what queues up while one batch
// runs joins the next one (group commit).
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, std::size_t pool_size)
      : path_(std::move(path)),
        checkpointer_(path_, kCheckpointPages),
        writer_work_(writer_io_.get_executor()) {
    // Open one connection eagerly so a bad path fails at start-up, not on first request.
    writer_ = std::make_unique<Connection>(path_);
    writer_->on_commit(
        [](void* checkpointer, int pages) {
          static_cast<sqlite::Checkpointer*>(checkpointer)->wal_grew(pages);
        },
        &checkpointer_);
    for (std::size_t i = 0; i < pool_size; ++i)
      readers_.push_back(std::make_unique<Connection>(path_));
    for (auto& r : readers_) idle_.push_back(r.get());
    writer_thread_ = std::thread([this] { writer_io_.run(); });
  }

  ~SqliteDatabase() override {
    writer_work_.reset();  // queued writes finish first
    writer_thread_.join();
  }

  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::sqlite; }

  asio::awaitable<Result> exec(std::string sql, Params params) override {
    if (sqlite::is_read_only(sql)) {
      Connection* conn = acquire_reader();
      struct Release {
        SqliteDatabase* self;
        Connection* conn;
        ~Release() { self->release_reader(conn); }
      } release{this, conn};
      co_return conn->exec(sql, params);
    }
    co_return co_await asio::co_spawn(
        writer_io_, write_statement(std::move(sql), std::move(params)), asio::use_awaitable);
  }

  asio::awaitable<void> transaction(TransactionBody body) override {
    ++queued_;
    co_await asio::co_spawn(writer_io_, write_transaction(std::move(body)), asio::use_awaitable);
  }

  asio::awaitable<void> ping() override {
    Connection* conn = acquire_reader();
    try {
      conn->exec("SELECT 1", {});
    } catch (const StoreError& e) {
      release_reader(conn);
      throw StoreError(ErrorKind::unavailable, e.what());
    }
    release_reader(conn);
    co_return;
  }

  asio::awaitable<void> exec_script(std::string sql) override {
    co_await asio::co_spawn(writer_io_, write_script(std::move(sql)), asio::use_awaitable);
  }

 private:
  struct WriteBatch {
    explicit WriteBatch(asio::io_context& io)
        : committed(io, asio::steady_timer::time_point::max()) {}
    // Members other than the opener wait on this timer; finishing the batch cancels it.
    asio::steady_timer committed;
    bool done = false;
    int members = 0;
    std::string error;  // why COMMIT failed; empty once committed
  };

  static void finish(WriteBatch& batch) {
    batch.done = true;
    batch.committed.cancel();
  }

  // The write_* coroutines run on the writer thread only.
  asio::awaitable<Result> write_statement(std::string sql, Params params) {
    commit_open_batch();  // a lone statement must not ride on, or wait for, a batch
    co_return writer_->exec(sql, params);
  }

  asio::awaitable<void> write_script(std::string sql) {
    commit_open_batch();
    writer_->script(sql);
    co_return;
  }

  // Transactions that arrive while a batch is open run inside it, each behind its own
  // savepoint, and one COMMIT covers them all. No caller returns before that COMMIT. The member
  // that opened the batch commits it once no transaction is queued behind it (or the batch is
  // full), so under load a batch grows with the queue instead of committing per transaction.
  asio::awaitable<void> write_transaction(TransactionBody body) {
    --queued_;
    const bool opener = !open_batch_;
    if (opener) {
      writer_->exec("BEGIN IMMEDIATE", {});
      open_batch_ = std::make_shared<WriteBatch>(writer_io_);
    }
    std::shared_ptr<WriteBatch> batch = open_batch_;
    ++batch->members;
    writer_->exec("SAVEPOINT irisx_tx", {});
    std::exception_ptr failure;
    {
      // Bodies only await this session, and SQLite calls complete synchronously, so a body
      // runs to its end before the next one starts.
      SqliteSession session(*writer_);
      try {
        co_await body(session);
        co_await session.run_steps();
      } catch (...) {
        failure = std::current_exception();
      }
    }
    if (failure) {
      undo_savepoint();
    } else {
      writer_->exec("RELEASE irisx_tx", {});
    }
    // A failed opener still commits: a batch it opened is never left open.
    if (opener) {
      do {
        co_await asio::post(writer_io_, asio::use_awaitable);
      } while (open_batch_ == batch && queued_ > 0 && batch->members < kMaxBatchMembers);
      if (open_batch_ == batch) commit_open_batch();
    } else if (!batch->done) {
      boost::system::error_code ignored;
      co_await batch->committed.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (failure) std::rethrow_exception(failure);
    if (!batch->error.empty()) throw StoreError(ErrorKind::unavailable, batch->error);
  }

  void commit_open_batch() {
    if (!open_batch_) return;
    std::shared_ptr<WriteBatch> batch = std::move(open_batch_);
    try {
      writer_->exec("COMMIT", {});
    } catch (const StoreError& e) {
      batch->error = e.what();
      try {
        writer_->exec("ROLLBACK", {});
      } catch (const StoreError&) {
        // Already rolled back by SQLite; the COMMIT error is what members report.
      }
    }
    finish(*batch);
  }

  // Undoes one failed body; if SQLite has already abandoned the whole transaction (e.g. after
  // a disk error), the batch fails for every member.
  void undo_savepoint() {
    try {
      writer_->exec("ROLLBACK TO irisx_tx", {});
      writer_->exec("RELEASE irisx_tx", {});
    } catch (const StoreError&) {
      // Handled below: the transaction state decides.
    }
    if (!writer_->in_transaction() && open_batch_) {
      open_batch_->error = "the write transaction was aborted";
      finish(*open_batch_);
      open_batch_.reset();
    }
  }

  Connection* acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return !idle_.empty(); });
    Connection* conn = idle_.back();
    idle_.pop_back();
    return conn;
  }
  void release_reader(Connection* conn) {
    {
      std::lock_guard lock(pool_mutex_);
      idle_.push_back(conn);
    }
    pool_cv_.notify_one();
  }

  // SQLite's own automatic checkpoint threshold.
  static constexpr int kCheckpointPages = 1000;
  // Bounds how long the first member of a batch waits for its COMMIT.
  static constexpr int kMaxBatchMembers = 32;

  std::string path_;
  sqlite::Checkpointer checkpointer_;
  asio::io_context writer_io_;
  asio::executor_work_guard<asio::io_context::executor_type> writer_work_;
  std::unique_ptr<Connection> writer_;      // used on the writer thread only
  std::shared_ptr<WriteBatch> open_batch_;  // writer thread only
  std::atomic<int> queued_{0};              // transactions handed to the writer, not yet begun
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_;
  std::thread writer_thread_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, std::size_t pool_size) {
  return std::make_unique<SqliteDatabase>(path, pool_size == 0 ? 1 : pool_size);
}

}  // namespace irisx::store
