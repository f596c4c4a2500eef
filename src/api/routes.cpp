#include "api/routes.hpp"

#include <charconv>

#include "api/idempotency.hpp"
#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::api {
namespace {

identity::Credentials credentials_of(const http::Request& request) {
  return {request.header("authorization"), request.header("x-api-key")};
}

// Store failures become 503 (retryable) at this one boundary; other store errors are bugs.
// `body` by value: it may be a coroutine lambda that must live in this frame.
template <class F>
boost::asio::awaitable<http::Response> guard_store(F body) {
  try {
    co_return co_await body();
  } catch (const store::StoreError& e) {
    if (e.kind() != store::ErrorKind::unavailable) throw;
  }
  ApiError error(503, "service_unavailable",
                 "the service is temporarily unavailable; retry shortly");
  error.headers.emplace_back("Retry-After", "1");
  throw error;
}

void add_rate_headers(http::Response& response, const kv::Decision& d) {
  response.set_header("X-RateLimit-Limit", std::to_string(d.limit));
  response.set_header("X-RateLimit-Remaining", std::to_string(d.remaining));
  response.set_header("X-RateLimit-Reset", std::to_string(d.reset_epoch_s));
}

}  // namespace

http::Response json_response(int status, const nlohmann::json& body) {
  return http::Response::json(status, body.dump());
}

identity::AuditContext audit_context(const http::Request& request, const identity::Principal& p) {
  return {p.tenant_id, identity::actor_type_name(p.type), p.actor_id(), request.remote_ip,
          request.request_id};
}

identity::AuditContext anonymous_audit(const http::Request& request) {
  return {"", "anonymous", "anonymous", request.remote_ip, request.request_id};
}

store::PageRequest page_request(const http::Request& request) {
  store::PageRequest page;
  if (auto limit = request.query_param("limit")) {
    int n = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || n < 1 || n > 200) {
      throw validation_failed("limit", "must be an integer from 1 to 200");
    }
    page.limit = n;
  }
  if (auto after = request.query_param("after"); after && !after->empty()) {
    page.after = store::decode_cursor(*after);
    if (!page.after) throw validation_failed("after", "is not a valid cursor");
  }
  return page;
}

const std::string& path_id(const http::Request& request, const std::string& name,
                           std::string_view prefix) {
  const std::string& id = request.param(name);
  if (!is_id(id, prefix)) throw not_found();
  return id;
}

namespace {

boost::asio::awaitable<http::Response> run_tenant(ApiServices& services, http::Request& request,
                                                  const std::string& scope,
                                                  const PrincipalHandler& handler,
                                                  Creates creates) {
  identity::Principal principal =
      co_await services.authenticator.tenant_principal(credentials_of(request));
  std::optional<kv::Decision> limit;
  const RateLimits& rl = services.rate_limits;
  if (rl.enabled) {
    const std::int64_t now = now_ms();
    kv::Decision tenant = services.limiter.take("rl:tenant:" + principal.tenant_id, rl.tenant, now);
    limit = tenant;
    if (principal.type == identity::ActorType::api_key) {
      kv::Decision key = services.limiter.take("rl:key:" + principal.api_key_id, rl.api_key, now);
      if (!key.allowed || key.remaining < tenant.remaining) limit = key;
    }
    if (!limit->allowed) {
      ApiError error =
          too_many_requests("rate limit exceeded", static_cast<long>(limit->retry_after_s + 0.999));
      error.headers.emplace_back("X-RateLimit-Limit", std::to_string(limit->limit));
      error.headers.emplace_back("X-RateLimit-Remaining", "0");
      error.headers.emplace_back("X-RateLimit-Reset", std::to_string(limit->reset_epoch_s));
      throw error;
    }
  }
  if (!scope.empty() && !principal.has_scope(scope)) {
    throw forbidden("insufficient_scope", "this credential lacks the scope " + scope);
  }
  http::Response response;
  if (creates == Creates::yes) {
    // Replays belong to the caller: a tenant-wide scope would hand one user's response (say,
    // a new API key's secret) to another user who reuses the same key and body.
    const std::string idempotency_scope = "tenant:" + principal.tenant_id + ":" +
                                          identity::actor_type_name(principal.type) + ":" +
                                          principal.actor_id();
    response = co_await with_idempotency(services.db, services.data_key, idempotency_scope, request,
                                         [&]() { return handler(request, principal); });
  } else {
    response = co_await handler(request, principal);
  }
  if (limit) add_rate_headers(response, *limit);
  co_return response;
}

}  // namespace

void Routes::tenant(const std::string& method, const std::string& pattern, const std::string& scope,
                    PrincipalHandler handler, Creates creates) {
  router_.add(method, pattern,
              [services = &services_, scope, handler = std::move(handler),
               creates](http::Request& request) -> boost::asio::awaitable<http::Response> {
                co_return co_await guard_store(
                    [&]() { return run_tenant(*services, request, scope, handler, creates); });
              });
}

void Routes::tenant_any(const std::string& method, const std::string& pattern,
                        PrincipalHandler handler) {
  tenant(method, pattern, "", std::move(handler));
}

void Routes::admin(const std::string& method, const std::string& pattern,
                   PrincipalHandler handler) {
  router_.add(method, pattern,
              [services = &services_, handler = std::move(handler)](
                  http::Request& request) -> boost::asio::awaitable<http::Response> {
                co_return co_await guard_store([&]() -> boost::asio::awaitable<http::Response> {
                  identity::Principal principal =
                      co_await services->authenticator.operator_principal(credentials_of(request));
                  co_return co_await handler(request, principal);
                });
              });
}

void Routes::open(const std::string& method, const std::string& pattern, http::Handler handler) {
  router_.add(method, pattern,
              [handler = std::move(handler)](
                  http::Request& request) -> boost::asio::awaitable<http::Response> {
                co_return co_await guard_store([&]() { return handler(request); });
              });
}

}  // namespace irisx::api
