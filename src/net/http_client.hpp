#pragma once
// Outbound HTTP(S) for webhooks and providers: libcurl's multi interface on one background
// thread, awaited from Asio coroutines. Every address curl connects to passes AddressPolicy,
// so a host that resolved to a public address at validation time and to 127.0.0.1 now is
// still refused.
#include <utility>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/address_policy.hpp"

namespace irisx::net {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{15000};    // whole exchange
  std::size_t max_response_bytes = 64 * 1024;  // keep at most this much of the body
};

struct HttpResponse {
  int status = 0;     // 0 when no HTTP response arrived
  std::string body;   // at most max_response_bytes
  std::string error;  // empty on a completed exchange; else a short reason ("timed out",
                      // "connection refused", "blocked address 127.0.0.1", "cancelled", ...)
  std::chrono::milliseconds duration{0};
};

class HttpClient {
 public:
  // Never follows redirects; TLS peers are verified; connections are kept alive and reused.
  explicit HttpClient(AddressPolicy policy, std::size_t max_connections = 256);
  // Completes outstanding requests with error "cancelled" and joins the thread. Destroy the
  // client before the executors its callers run on: completions are posted to them.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for transport failures: they are reported in HttpResponse::error. The result
  // is delivered on the awaiting coroutine's executor.
  boost::asio::awaitable<HttpResponse> send(HttpRequest request);

 private:
  class Engine;
  std::unique_ptr<Engine> engine_;
};

}  // namespace irisx::net
