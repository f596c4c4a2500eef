#pragma once
// One libpq connection driven asynchronously: statements are sent with PQsend*, and the
// coroutine waits on the socket (Asio reactor) instead of blocking a thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <utility>

#include <libpq-fe.h>

#include <deque>
#include <string>
#include <unordered_map>

#include "store/database.hpp"

namespace irisx::store::pg {

class Connection {
 public:
  Connection(boost::asio::any_io_executor executor, const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Outside pipeline mode: sends one statement and waits for its result. In pipeline mode:
  // also sends what send() queued, and reads the results in order up to its own, throwing
  // the first failure among them.
  boost::asio::awaitable<Result> exec(std::string sql, Params params);
  boost::asio::awaitable<void> script(std::string sql);
  bool broken() const { return broken_; }
  // For a connection whose session state cannot be trusted any more (a transaction that could
  // not be undone): the pool drops it instead of handing it out again.
  void discard() { broken_ = true; }

  // Pipeline mode (libpq >= 14), used for the length of one transaction: send() queues a
  // statement without waiting, so a transaction's statements share round trips.
  void begin_pipeline();
  void send(std::string sql, Params params);
  // Sends what is queued, reads every result and leaves pipeline mode; throws the first
  // failure not already thrown by exec().
  boost::asio::awaitable<void> end_pipeline();
  bool in_pipeline() const { return pipeline_; }

 private:
  // A statement sent in pipeline mode whose results are still to be read. `prepared` names
  // the SQL of a Parse whose failure (or skip) must forget the statement again.
  struct Pending {
    std::string prepared;
  };
  struct Outcome {
    Result result;
    std::string error;
    ErrorKind kind = ErrorKind::other;
  };

  struct BoundParams;
  // Sends a Parse of `sql` under a fresh statement name and returns the name.
  std::string send_prepare(const std::string& sql, const BoundParams& bound);
  void send_prepared(const std::string& name, const BoundParams& bound);
  void send_statement(const std::string& sql, const Params& params);
  boost::asio::awaitable<void> flush();
  boost::asio::awaitable<void> wait_readable();
  // Reads the results of one statement, up to libpq's end-of-statement null.
  boost::asio::awaitable<Outcome> read_statement();
  // Reads every result of the statement in flight; throws the first error after draining.
  boost::asio::awaitable<Result> collect();
  // Pipeline mode: reads the results of every pending statement; returns the last one's.
  boost::asio::awaitable<Outcome> read_pending();
  [[noreturn]] void fail_connection(const std::string& what);
  [[noreturn]] void throw_outcome(const Outcome& outcome);

  PGconn* conn_ = nullptr;
  boost::asio::posix::stream_descriptor socket_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  std::size_t statements_named_ = 0;
  std::deque<Pending> pending_;
  bool pipeline_ = false;
  bool broken_ = false;
};

}  // namespace irisx::store::pg
