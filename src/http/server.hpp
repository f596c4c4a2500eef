#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Accepts on one io_context and hands
// connections round-robin to the worker contexts, each meant to be run by exactly one thread:
// a connection then never needs a strand and never crosses threads.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/pipeline.hpp"

namespace irisx::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port
  std::size_t body_limit = 1 << 20;
  std::chrono::milliseconds read_timeout{30000};  // whole request, and idle keep-alive
  std::chrono::milliseconds drain_timeout{10000};
};

class Server {
 public:
  // `workers` must be non-empty; `io` may be one of them.
  Server(boost::asio::io_context& io, std::vector<boost::asio::io_context*> workers,
         ServerOptions options, Pipeline& pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; returns the bound port.
  std::uint16_t start();
  // Stops accepting, closes idle connections, lets in-flight requests finish (up to the drain
  // timeout) and then closes the rest.
  boost::asio::awaitable<void> drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irisx::http
