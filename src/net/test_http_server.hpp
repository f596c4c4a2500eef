#pragma once
// A tiny blocking HTTP/1.1 server for tests: 127.0.0.1, an ephemeral port, one thread per
// connection, keep-alive, Content-Length bodies only. Test code; not part of irisx_net.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace irisx::net::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct CannedReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool never_answer = false;  // keep the connection open and silent until the server stops
};

class TestHttpServer {
 public:
  // Called on connection threads, possibly concurrently.
  using Handler = std::function<CannedReply(const ReceivedRequest&)>;

  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const;
  std::size_t connections() const;
  std::vector<ReceivedRequest> requests() const;
  // True once at least `count` connections were accepted; false after `timeout`.
  bool wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  void serve(int fd);
  void exchange(int fd);
  bool read_more(int fd, std::string& buffer) const;
  bool wait_readable(int fd) const;

  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable accepted_;
  std::size_t connections_ = 0;            // guarded by mutex_
  std::vector<ReceivedRequest> requests_;  // guarded by mutex_
  std::vector<std::thread> workers_;       // guarded by mutex_
  std::thread acceptor_;
};

// A loopback port nothing listens on (bound once, then released).
std::uint16_t closed_port();

}  // namespace irisx::net::testing
