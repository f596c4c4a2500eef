#pragma once
// One libpq connection driven asynchronously: statements are sent with PQsend*, and the
// coroutine waits on the socket (Asio reactor) instead of blocking a thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <utility>

#include <libpq-fe.h>

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

  boost::asio::awaitable<Result> exec(std::string sql, Params params);
  boost::asio::awaitable<void> script(std::string sql);
  bool broken() const { return broken_; }

 private:
  boost::asio::awaitable<void> flush();
  // Reads every result of the statement in flight; throws the first error after draining.
  boost::asio::awaitable<Result> collect();
  [[noreturn]] void fail_connection(const std::string& what);

  PGconn* conn_ = nullptr;
  boost::asio::posix::stream_descriptor socket_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  bool broken_ = false;
};

}  // namespace irisx::store::pg
