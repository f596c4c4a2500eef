#include "webhooks/endpoints.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/id.hpp"
#include "common/json_view.hpp"
#include "common/time.hpp"
#include "webhooks/signing.hpp"
#include "webhooks/subscription.hpp"

namespace irisx::webhooks {

std::string endpoint_columns(std::string_view prefix) {
  std::string out;
  for (const char* column :
       {"id", "tenant_id", "url", "description", "events", "enabled", "disabled_reason",
        "failing_since", "previous_secret_expires_at", "created_at", "updated_at", "kind"}) {
    if (!out.empty()) out += ", ";
    out.append(prefix).append(column);
  }
  return out;
}

namespace {

constexpr std::int64_t kRotationOverlapMs = 24LL * 3600 * 1000;

void validate_events(const std::vector<std::string>& patterns, std::vector<FieldError>& errors) {
  if (patterns.empty()) errors.push_back({"events", "must list at least one event type"});
  for (const auto& p : patterns) {
    if (!is_event_pattern(p)) {
      errors.push_back({"events", "\"" + p + "\" is not an event type, a \"resource.*\" or \"*\""});
    }
  }
}

void validate_description(const std::string& description, std::vector<FieldError>& errors) {
  if (description.size() > 500) errors.push_back({"description", "must be at most 500 characters"});
}

}  // namespace

Endpoint endpoint_from_row(const store::Row& r, std::size_t f) {
  std::vector<std::string> patterns;
  auto j = nlohmann::json::parse(r.text(f + 4), nullptr, false);
  if (j.is_array()) {
    for (const auto& p : j) {
      if (p.is_string()) patterns.push_back(p.get<std::string>());
    }
  }
  return {r.text(f),           r.text(f + 1),       r.text(f + 2),     r.text(f + 3),
          std::move(patterns), r.int64(f + 5) != 0, r.opt_text(f + 6), r.opt_int64(f + 7),
          r.opt_int64(f + 8),  r.int64(f + 9),      r.int64(f + 10),   r.text(f + 11)};
}

nlohmann::json to_json(const Endpoint& e) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = e.id;
  out["object"] = "webhook";
  out["url"] = e.url;
  out["description"] = e.description;
  out["events"] = e.events;
  out["enabled"] = e.enabled;
  out["disabled_reason"] = json_or_null(e.disabled_reason);
  out["failing_since"] = time_or_null(e.failing_since);
  out["previous_secret_expires_at"] = time_or_null(e.previous_secret_expires_at);
  out["created_at"] = rfc3339(e.created_at);
  out["updated_at"] = rfc3339(e.updated_at);
  return out;
}

EndpointService::EndpointService(store::Database& db, events::Publisher& publisher,
                                 DeliveryQueue& queue, std::string data_key,
                                 net::AddressPolicy policy)
    : db_(db),
      publisher_(publisher),
      queue_(queue),
      data_key_(std::move(data_key)),
      policy_(std::move(policy)) {}

boost::asio::awaitable<void> EndpointService::check_url(std::string url, std::string field) {
  if (url.empty() || url.size() > 2000) {
    throw validation_failed(field, "must be an http or https URL of at most 2000 characters");
  }
  // Named, not written inside the co_await: g++ 12 destroys such a lambda's captures twice.
  auto resolve = [this, url]() -> boost::asio::awaitable<std::optional<std::string>> {
    co_return net::url_problem(url, policy_);
  };
  auto problem =
      co_await boost::asio::co_spawn(resolver_, std::move(resolve), boost::asio::use_awaitable);
  if (problem) throw validation_failed(field, *problem);
}

boost::asio::awaitable<void> EndpointService::record_change(store::Session& tx,
                                                            const identity::AuditContext& audit,
                                                            const Endpoint& endpoint,
                                                            std::string type) {
  co_await identity::write_audit(tx, audit, type, "webhook", endpoint.id);
  co_await publisher_.record(tx, endpoint.tenant_id, std::move(type), to_json(endpoint));
}

boost::asio::awaitable<EndpointWithSecret> EndpointService::create(identity::Principal actor,
                                                                   NewEndpoint input,
                                                                   identity::AuditContext audit) {
  std::vector<FieldError> errors;
  validate_events(input.events, errors);
  validate_description(input.description, errors);
  if (!errors.empty()) throw validation_failed(std::move(errors));
  co_await check_url(input.url);

  const std::int64_t now = now_ms();
  EndpointWithSecret out{
      {new_id("WH"), actor.tenant_id, input.url, input.description, input.events, input.enabled,
       std::nullopt, std::nullopt, std::nullopt, now, now, "events"},
      new_secret()};
  const nlohmann::json patterns = input.events;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    // Recorded before the endpoint exists, so it is not told of its own creation before its
    // owner has had a chance to install the secret.
    co_await record_change(tx, audit, out.endpoint, "webhook.created");
    co_await tx.exec(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, enabled, "
        "secret_sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        store::args(out.endpoint.id, out.endpoint.tenant_id, out.endpoint.url,
                    out.endpoint.description, patterns.dump(), input.enabled ? 1 : 0,
                    crypto::seal(data_key_, out.secret), now));
  });
  co_return out;
}

boost::asio::awaitable<store::Page<Endpoint>> EndpointService::list(std::string tenant_id,
                                                                    store::PageRequest page) {
  std::string sql = "SELECT " + endpoint_columns("") +
                    " FROM webhook_endpoints WHERE tenant_id = $1 AND kind = 'events'";
  store::Params params = store::args(tenant_id);
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(sql, params);
  std::vector<Endpoint> rows;
  for (const auto& row : r.rows) rows.push_back(endpoint_from_row(row));
  co_return store::to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<Endpoint> EndpointService::require(std::string tenant_id, std::string id,
                                                          bool include_callbacks) {
  store::Result r =
      co_await db_.exec("SELECT " + endpoint_columns("") +
                            " FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2" +
                            (include_callbacks ? "" : " AND kind = 'events'"),
                        store::args(id, tenant_id));
  if (r.empty()) throw not_found("no such webhook");
  co_return endpoint_from_row(r.front());
}

boost::asio::awaitable<Endpoint> EndpointService::update(identity::Principal actor, std::string id,
                                                         EndpointChanges changes,
                                                         identity::AuditContext audit) {
  std::vector<FieldError> errors;
  if (changes.events) validate_events(*changes.events, errors);
  if (changes.description) validate_description(*changes.description, errors);
  if (!errors.empty()) throw validation_failed(std::move(errors));
  if (changes.url) co_await check_url(*changes.url);

  // Only the fields the caller named are written, in one statement: a worker may disable the
  // endpoint (a 410, a failure streak) while this request runs, and a description change
  // must not switch it back on.
  store::Value url = changes.url ? store::Value(*changes.url) : store::Value(nullptr);
  store::Value description =
      changes.description ? store::Value(*changes.description) : store::Value(nullptr);
  store::Value patterns =
      changes.events ? store::Value(nlohmann::json(*changes.events).dump()) : store::Value(nullptr);
  store::Value enabled = changes.enabled ? store::Value(std::int64_t(*changes.enabled ? 1 : 0))
                                         : store::Value(nullptr);
  std::optional<Endpoint> e;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    // Re-enabling starts afresh: the failure streak that disabled it is forgotten.
    store::Result r = co_await tx.exec(
        "UPDATE webhook_endpoints SET url = COALESCE($3, url), "
        "description = COALESCE($4, description), events = COALESCE($5, events), "
        "enabled = COALESCE($6, enabled), "
        "disabled_reason = CASE WHEN $6 = 1 THEN NULL ELSE disabled_reason END, "
        "failing_since = CASE WHEN $6 = 1 THEN NULL ELSE failing_since END, updated_at = $7 "
        "WHERE id = $1 AND tenant_id = $2 AND kind = 'events' RETURNING " +
            endpoint_columns(""),
        store::args(id, actor.tenant_id, url, description, patterns, enabled, now_ms()));
    if (r.empty()) co_return;
    e = endpoint_from_row(r.front());
    co_await record_change(tx, audit, *e, "webhook.updated");
  });
  if (!e) throw not_found("no such webhook");
  co_return *e;
}

boost::asio::awaitable<void> EndpointService::remove(identity::Principal actor, std::string id,
                                                     identity::AuditContext audit) {
  Endpoint e = co_await require(actor.tenant_id, id);
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    co_await tx.exec("DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2",
                     store::args(id, actor.tenant_id));
    co_await record_change(tx, audit, e, "webhook.deleted");
  });
}

boost::asio::awaitable<std::int64_t> rotate_sealed_secret(store::Session& tx, std::string tenant_id,
                                                          std::string id, std::string sealed) {
  const std::int64_t now = now_ms();
  co_await tx.exec(
      "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = $3, "
      "previous_secret_expires_at = $4, updated_at = $5 WHERE id = $1 AND tenant_id = $2",
      store::args(id, tenant_id, sealed, now + kRotationOverlapMs, now));
  co_return now + kRotationOverlapMs;
}

boost::asio::awaitable<EndpointWithSecret> EndpointService::rotate_secret(
    identity::Principal actor, std::string id, identity::AuditContext audit) {
  Endpoint e = co_await require(actor.tenant_id, id);
  EndpointWithSecret out{e, new_secret()};
  const std::string sealed = crypto::seal(data_key_, out.secret);
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    const std::int64_t expires = co_await rotate_sealed_secret(tx, actor.tenant_id, id, sealed);
    out.endpoint.previous_secret_expires_at = expires;
    out.endpoint.updated_at = expires - kRotationOverlapMs;
    co_await record_change(tx, audit, out.endpoint, "webhook.secret_rotated");
  });
  co_return out;
}

boost::asio::awaitable<Delivery> EndpointService::send_test(identity::Principal actor,
                                                            std::string id) {
  Endpoint e = co_await require(actor.tenant_id, id);
  Delivery delivery;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    nlohmann::json data = {{"webhook_id", e.id}, {"message", "This is a test event from IRISX."}};
    events::Event event = co_await events::insert_event(tx, e.tenant_id, "webhook.test", data);
    delivery = co_await queue_.enqueue(tx, e.id, event);
  });
  co_return delivery;
}

}  // namespace irisx::webhooks
