#include "http/pipeline.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>

#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "http/problem.hpp"

namespace irisx::http {

std::string request_id_for(const Request& request) {
  if (auto given = request.header("x-request-id")) {
    bool plain = !given->empty() && given->size() <= 128;
    for (char c : *given) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
      plain = plain && ok;
    }
    if (plain) return std::string(*given);
  }
  // Request ids need to be unique, not secret: a per-thread generator seeded from the CSPRNG
  // spares every request a trip through OpenSSL's DRBG.
  static thread_local std::mt19937_64 generator = [] {
    const std::string entropy = crypto::random_bytes(32);
    std::array<std::uint32_t, 8> words{};
    std::memcpy(words.data(), entropy.data(), entropy.size());
    std::seed_seq seed(words.begin(), words.end());
    return std::mt19937_64(seed);
  }();
  const std::uint64_t high = generator();
  const std::uint32_t low = static_cast<std::uint32_t>(generator());
  std::string raw(12, '\0');
  std::memcpy(raw.data(), &high, 8);
  std::memcpy(raw.data() + 8, &low, 4);
  return "req_" + crypto::hex(raw);
}

Pipeline::Pipeline(const Router& router, metrics::Registry& metrics, PipelineOptions options)
    : router_(router), metrics_(metrics), options_(std::move(options)), log_(log::get("http")) {}

bool Pipeline::origin_allowed(std::string_view origin) const {
  for (const auto& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void Pipeline::add_cors(const Request& request, Response& response) const {
  auto origin = request.header("origin");
  if (!origin || !origin_allowed(*origin)) return;
  response.set_header("Access-Control-Allow-Origin", std::string(*origin));
  response.set_header("Vary", "Origin");
  response.set_header("Access-Control-Expose-Headers",
                      "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, "
                      "X-RateLimit-Reset, Retry-After");
}

Response Pipeline::preflight(const Request& request) const {
  Response response = Response::empty(204);
  auto origin = request.header("origin");
  if (origin && origin_allowed(*origin)) {
    response.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS");
    response.set_header("Access-Control-Allow-Headers",
                        "Authorization, Content-Type, X-API-Key, Idempotency-Key, X-Request-Id");
    response.set_header("Access-Control-Max-Age", "600");
  }
  return response;
}

boost::asio::awaitable<Response> Pipeline::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  request.request_id = request_id_for(request);
  Response response;
  if (request.method == "OPTIONS" && request.header("access-control-request-method")) {
    request.route = "preflight";
    response = preflight(request);
  } else {
    Router::Match match = router_.match(request);
    if (match.handler == nullptr) {
      request.route = "unmatched";
      if (!match.allowed.empty()) {
        response = problem_response(ApiError(405, "method_not_allowed",
                                             request.method + " is not allowed on this resource"),
                                    request.request_id);
        response.set_header("Allow", match.allowed);
      } else {
        response =
            problem_response(ApiError(404, "not_found", "no such route"), request.request_id);
      }
    } else {
      request.route = *match.pattern;
      try {
        response = co_await (*match.handler)(request);
      } catch (const ApiError& e) {
        response = problem_response(e, request.request_id);
      } catch (const std::exception& e) {
        // Details go to the log only: no internals ever reach a client.
        log_->error("unhandled error request_id={} route={} error={}", request.request_id,
                    request.route, e.what());
        response = problem_response(ApiError(500, "internal_error", "an internal error occurred"),
                                    request.request_id);
      }
    }
  }
  add_cors(request, response);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  record(request, response, seconds);
  co_return response;
}

void Pipeline::record(const Request& request, const Response& response, double seconds) {
  const std::string& route = request.route.empty() ? std::string("unmatched") : request.route;
  const std::string status = std::to_string(response.status);
  metrics_
      .counter("irisx_http_requests_total", "HTTP requests by method, route and status",
               {{"method", request.method}, {"route", route}, {"status", status}})
      .inc();
  metrics_
      .histogram("irisx_http_request_duration_seconds",
                 "HTTP request latency by method, route and status",
                 {{"method", request.method}, {"route", route}, {"status", status}},
                 metrics::latency_buckets_seconds())
      .observe(seconds);
  if (options_.access_log) {
    log::access(request.request_id, request.method, request.path, route, response.status, seconds,
                request.remote_ip, response.body.size());
  }
}

}  // namespace irisx::http
