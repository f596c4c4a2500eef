#include "webhooks/callbacks.hpp"

#include "common/crypto.hpp"
#include "common/id.hpp"
#include "common/json_view.hpp"
#include "common/time.hpp"
#include "webhooks/endpoints.hpp"
#include "webhooks/signing.hpp"

namespace irisx::webhooks {
namespace {

// Inserts the tenant's callbacks endpoint unless it exists; the partial unique index on
// (tenant_id) WHERE kind = 'callbacks' settles a race between two first callbacks.
boost::asio::awaitable<void> insert_endpoint(store::Session& tx, const std::string& tenant_id,
                                             const std::string& sealed) {
  const std::int64_t now = now_ms();
  co_await tx.exec(
      "INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, enabled, "
      "secret_sealed, created_at, updated_at, kind) "
      "VALUES ($1, $2, '', 'status callbacks', '[]', 1, $3, $4, $4, 'callbacks') "
      "ON CONFLICT DO NOTHING",
      store::args(new_id("WH"), tenant_id, sealed, now));
}

boost::asio::awaitable<std::optional<std::string>> endpoint_id(store::Session& tx,
                                                               const std::string& tenant_id) {
  store::Result r = co_await tx.exec(
      "SELECT id FROM webhook_endpoints WHERE tenant_id = $1 AND kind = 'callbacks'",
      store::args(tenant_id));
  if (r.empty()) co_return std::nullopt;
  co_return r.front().text(0);
}

}  // namespace

nlohmann::json to_json(const CallbackSecret& s) {
  return {{"object", "callback_secret"},
          {"webhook_id", s.webhook_id},
          {"secret", s.secret},
          {"previous_secret_expires_at", time_or_null(s.previous_secret_expires_at)}};
}

boost::asio::awaitable<CallbackSecret> CallbackService::rotate_secret(
    identity::Principal actor, identity::AuditContext audit) {
  CallbackSecret out{"", new_secret(), std::nullopt};
  const std::string sealed = crypto::seal(data_key_, out.secret);
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    auto existing = co_await endpoint_id(tx, actor.tenant_id);
    if (existing) {
      const std::int64_t expires =
          co_await rotate_sealed_secret(tx, actor.tenant_id, *existing, sealed);
      out.previous_secret_expires_at = expires;
      out.webhook_id = *existing;
    } else {
      co_await insert_endpoint(tx, actor.tenant_id, sealed);
      auto created = co_await endpoint_id(tx, actor.tenant_id);
      out.webhook_id = created.value_or("");
    }
    co_await identity::write_audit(tx, audit, "webhook.callback_secret_rotated", "webhook",
                                   out.webhook_id);
  });
  co_return out;
}

boost::asio::awaitable<Delivery> CallbackService::enqueue(store::Session& tx,
                                                          const events::Event& event,
                                                          std::string url) {
  auto id = co_await endpoint_id(tx, event.tenant_id);
  if (!id) {
    co_await insert_endpoint(tx, event.tenant_id, crypto::seal(data_key_, new_secret()));
    id = co_await endpoint_id(tx, event.tenant_id);
  }
  if (!id) throw std::runtime_error("the callbacks endpoint of " + event.tenant_id + " is missing");
  co_return co_await queue_.enqueue(tx, *id, event, std::move(url));
}

}  // namespace irisx::webhooks
