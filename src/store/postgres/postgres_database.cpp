#include "store/postgres/postgres_database.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <exception>
#include <mutex>
#include <vector>

#include "store/postgres/pg_connection.hpp"

namespace irisx::store {
namespace {

namespace asio = boost::asio;

// Connections are created lazily up to the limit; a caller finding none free waits on a timer
// that a release cancels (timers live on one strand, so cancel never races the wait).
class Pool {
 public:
  Pool(asio::any_io_executor executor, std::string conninfo, std::size_t size)
      : executor_(executor),
        strand_(asio::make_strand(executor)),
        conninfo_(std::move(conninfo)),
        size_(size) {}

  asio::awaitable<std::unique_ptr<pg::Connection>> acquire() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      std::shared_ptr<asio::steady_timer> waiter;
      {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
          auto conn = std::move(idle_.back());
          idle_.pop_back();
          co_return conn;
        }
        if (open_ < size_) {
          ++open_;
        } else {
          waiter = std::make_shared<asio::steady_timer>(strand_, deadline);
          waiters_.push_back(waiter);
        }
      }
      if (!waiter) co_return co_await connect();
      boost::system::error_code ec;
      co_await waiter->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!ec)
        throw StoreError(ErrorKind::unavailable, "no PostgreSQL connection free within 10 s");
    }
  }

  void release(std::unique_ptr<pg::Connection> conn) {
    std::shared_ptr<asio::steady_timer> wake;
    {
      std::lock_guard lock(mutex_);
      if (conn->broken() || conn->in_pipeline()) {
        --open_;  // dropped; a later acquire opens a fresh one
      } else {
        idle_.push_back(std::move(conn));
      }
      if (!waiters_.empty()) {
        wake = waiters_.front();
        waiters_.pop_front();
      }
    }
    if (wake) asio::post(strand_, [wake] { wake->cancel(); });
  }

 private:
  asio::awaitable<std::unique_ptr<pg::Connection>> connect() {
    try {
      co_return std::make_unique<pg::Connection>(executor_, conninfo_);
    } catch (...) {
      std::lock_guard lock(mutex_);
      --open_;
      throw;
    }
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;
  std::string conninfo_;
  std::size_t size_;
  std::mutex mutex_;
  std::size_t open_ = 0;
  std::vector<std::unique_ptr<pg::Connection>> idle_;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

// Returns the connection to the pool however the coroutine leaves.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<pg::Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  ~Lease() { pool_.release(std::move(conn_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  pg::Connection& operator*() { return *conn_; }
  pg::Connection* operator->() { return conn_.get(); }

 private:
  Pool& pool_;
  std::unique_ptr<pg::Connection> conn_;
};

class PgSession final : public Session {
 public:
  explicit PgSession(pg::Connection& conn) : conn_(conn) {}
  asio::awaitable<Result> exec(std::string sql, Params params) override {
    co_return co_await conn_.exec(std::move(sql), std::move(params));
  }
  void defer(std::string sql, Params params) override {
    conn_.send(std::move(sql), std::move(params));
  }

 private:
  pg::Connection& conn_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(asio::any_io_executor executor, const std::string& conninfo,
                   std::size_t pool_size)
      : pool_(executor, conninfo, pool_size) {
    // Fail at start-up, not on the first request, when the server is unreachable.
    pg::Connection probe(executor, conninfo);
  }

  Dialect dialect() const override { return Dialect::postgres; }

  asio::awaitable<Result> exec(std::string sql, Params params) override {
    Lease conn(pool_, co_await pool_.acquire());
    co_return co_await conn->exec(std::move(sql), std::move(params));
  }

  // The whole transaction is pipelined: BEGIN goes out with the body's first statement,
  // deferred statements with the next one, and COMMIT with the closing sync, so a body of
  // N awaited statements costs N + 1 round trips.
  asio::awaitable<void> transaction(TransactionBody body) override {
    Lease conn(pool_, co_await pool_.acquire());
    conn->begin_pipeline();
    conn->send("BEGIN", Params());
    PgSession session(*conn);
    std::exception_ptr failure;
    try {
      co_await body(session);
      conn->send("COMMIT", Params());
      co_await conn->end_pipeline();
    } catch (...) {
      failure = std::current_exception();
    }
    if (!failure) co_return;
    if (!conn->broken()) {
      try {
        if (conn->in_pipeline()) co_await conn->end_pipeline();
      } catch (const StoreError&) {
        // Already reported by the failure being handled (or its consequence).
      }
    }
    if (!conn->broken()) {
      try {
        co_await conn->exec("ROLLBACK", Params());
      } catch (const StoreError&) {
        // The connection is marked broken and dropped; the original error wins.
      }
    }
    std::rethrow_exception(failure);
  }

  asio::awaitable<void> ping() override { co_await exec("SELECT 1", Params()); }

  asio::awaitable<void> exec_script(std::string sql) override {
    Lease conn(pool_, co_await pool_.acquire());
    co_await conn->script(std::move(sql));
  }

 private:
  Pool pool_;
};

}  // namespace

std::unique_ptr<Database> open_postgres(asio::any_io_executor executor, const std::string& conninfo,
                                        std::size_t pool_size) {
  return std::make_unique<PostgresDatabase>(std::move(executor), conninfo,
                                            pool_size == 0 ? 1 : pool_size);
}

}  // namespace irisx::store
