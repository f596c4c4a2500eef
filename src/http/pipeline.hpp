#pragma once
// The middleware every request passes through, in order: request id, CORS, routing (404/405),
// the handler with error mapping to problem+json, metrics and the access log.
#include <memory>
#include <string>
#include <vector>

#include "common/metrics.hpp"
#include "http/router.hpp"

namespace spdlog {
class logger;
}

namespace irisx::http {

struct PipelineOptions {
  std::vector<std::string> cors_origins;  // exact origins, or "*"
  bool access_log = true;
};

class Pipeline {
 public:
  Pipeline(const Router& router, metrics::Registry& metrics, PipelineOptions options);
  boost::asio::awaitable<Response> handle(Request& request);
  // For failures detected before a request reaches the pipeline (413, bad HTTP).
  void record(const Request& request, const Response& response, double seconds);

 private:
  bool origin_allowed(std::string_view origin) const;
  void add_cors(const Request& request, Response& response) const;
  Response preflight(const Request& request) const;

  const Router& router_;
  metrics::Registry& metrics_;
  PipelineOptions options_;
  std::shared_ptr<spdlog::logger> log_;
};

// Accepts a caller's X-Request-Id when it is short and plain, or makes a new one.
std::string request_id_for(const Request& request);

}  // namespace irisx::http
