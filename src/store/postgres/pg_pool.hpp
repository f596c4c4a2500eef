#pragma once
// The PostgreSQL connection pool: connections are opened lazily up to a limit, and a caller
// finding none free waits (up to 10 s) for one to be released.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.hpp"

namespace irisx::store::pg {

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, std::string conninfo, std::size_t size);

  // Throws StoreError(unavailable) when no connection is free within 10 s or none can be opened.
  boost::asio::awaitable<std::unique_ptr<Connection>> acquire();
  // Any thread. A broken connection, or one left in pipeline mode, is dropped instead.
  void release(std::unique_ptr<Connection> conn);

 private:
  using Clock = std::chrono::steady_clock;
  // Takes an idle connection or the right to open one; null and false when neither is there.
  std::unique_ptr<Connection> take_idle(bool& may_open);
  boost::asio::awaitable<std::unique_ptr<Connection>> connect();
  // Runs on strand_, where release() cancels waiters: registering the waiter and starting its
  // wait happen in one step there, so a release cannot slip in between and be missed.
  boost::asio::awaitable<void> wait_for_release(Clock::time_point deadline);

  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::string conninfo_;
  std::size_t size_;
  std::mutex mutex_;
  std::size_t open_ = 0;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

// Returns the connection to the pool however the coroutine leaves.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  ~Lease() { pool_.release(std::move(conn_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Pool& pool_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace irisx::store::pg
