#include "api/idempotency.hpp"

#include <exception>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

namespace irisx::api {
namespace {

constexpr std::int64_t kRetentionMs = 24LL * 3600 * 1000;

}  // namespace

boost::asio::awaitable<http::Response> with_idempotency(
    store::Database& db, const std::string& data_key, std::string scope,
    const http::Request& request, std::function<boost::asio::awaitable<http::Response>()> handler) {
  auto header = request.header("idempotency-key");
  if (!header) co_return co_await handler();
  const std::string key(*header);
  if (key.empty() || key.size() > 255) {
    throw validation_failed("Idempotency-Key", "must be 1 to 255 characters");
  }
  const std::string request_hash =
      crypto::sha256_hex(request.method + " " + request.path + "\n" + request.body);
  const std::int64_t now = now_ms();

  // Claim the key with a placeholder row (status 0); a concurrent duplicate sees the claim.
  store::Result claim = co_await db.exec(
      "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response_body, "
      "created_at) "
      "VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING",
      store::args(scope, key, request_hash, now));
  if (claim.affected_rows == 0) {
    store::Result seen = co_await db.exec(
        "SELECT request_hash, status, response_body, created_at FROM idempotency_keys WHERE scope "
        "= $1 AND "
        "idem_key = $2",
        store::args(scope, key));
    if (seen.empty() || seen.front().int64(3) < now - kRetentionMs) {
      // Expired (or vanished): forget it and treat this request as the first.
      co_await db.exec("DELETE FROM idempotency_keys WHERE scope = $1 AND idem_key = $2",
                       store::args(scope, key));
      co_return co_await with_idempotency(db, data_key, scope, request, handler);
    }
    const store::Row& row = seen.front();
    if (!crypto::constant_time_equal(row.text(0), request_hash)) {
      throw ApiError(422, "idempotency_key_reused",
                     "this Idempotency-Key was used with a different request in the last 24 hours");
    }
    if (row.int64(1) == 0) {
      throw conflict("idempotency_in_progress",
                     "a request with this Idempotency-Key is still in progress");
    }
    auto body = crypto::open_sealed(data_key, row.text(2));
    if (!body) throw std::runtime_error("stored idempotent response cannot be decrypted");
    http::Response replay = http::Response::json(static_cast<int>(row.int64(1)), *body);
    replay.set_header("Idempotent-Replayed", "true");
    co_return replay;
  }

  http::Response response;
  std::exception_ptr failure;
  try {
    response = co_await handler();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // Failed requests are not remembered: the client may retry with the same key.
    co_await db.exec("DELETE FROM idempotency_keys WHERE scope = $1 AND idem_key = $2",
                     store::args(scope, key));
    std::rethrow_exception(failure);
  }
  co_await db.exec(
      "UPDATE idempotency_keys SET status = $3, response_body = $4 WHERE scope = $1 AND idem_key = "
      "$2",
      store::args(scope, key, static_cast<std::int64_t>(response.status),
                  crypto::seal(data_key, response.body)));
  co_return response;
}

}  // namespace irisx::api
