#include "voice/registrar/bindings.hpp"

namespace irisx::voice::registrar {
namespace {

constexpr const char* kColumns =
    "contact_uri, source, transport, user_agent, call_id, cseq, expires_at, instance, "
    "updated_at";

Binding binding_from(const std::string& tenant_id, const std::string& extension,
                     const store::Row& row) {
  Binding b;
  b.tenant_id = tenant_id;
  b.extension = extension;
  b.contact_uri = row.text(0);
  b.source = row.text(1);
  b.transport = row.text(2);
  b.user_agent = row.text(3);
  b.call_id = row.text(4);
  b.cseq = static_cast<std::int32_t>(row.int64(5));
  b.expires_at_ms = row.int64(6);
  b.instance = row.text(7);
  b.updated_at_ms = row.int64(8);
  return b;
}

std::vector<Binding> bindings_from(const std::string& tenant_id, const std::string& extension,
                                   const store::Result& result) {
  std::vector<Binding> out;
  out.reserve(result.rows.size());
  for (const store::Row& row : result.rows) out.push_back(binding_from(tenant_id, extension, row));
  return out;
}

}  // namespace

boost::asio::awaitable<UpdateResult> Bindings::apply(RegisterRequest request) {
  UpdateResult out;
  out.min_expires_s = request.limits.min_expires_s;
  // FOR UPDATE holds the extension's rows until commit, so two nodes handling REGISTERs for the
  // same extension do not both pass the CSeq or contact-limit checks. SQLite has no row locks
  // and needs none: its transaction holds the database's write lock.
  const std::string select = std::string("SELECT ") + kColumns +
                             " FROM sip_bindings WHERE tenant_id = $1 AND extension = $2" +
                             (db_.dialect() == store::Dialect::postgres ? " FOR UPDATE" : "");
  store::Database::TransactionBody body =
      [&out, &request, &select](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result rows =
        co_await tx.exec(select, store::args(request.tenant_id, request.extension));
    std::vector<Binding> stored = bindings_from(request.tenant_id, request.extension, rows);
    Decision decision = decide(request, stored);
    out.outcome = decision.outcome;
    out.bindings = std::move(decision.bindings);
    if (decision.outcome != Outcome::ok) co_return;
    for (const std::string& uri : decision.removals) {
      auto params = store::args(request.tenant_id, request.extension, uri);
      co_await tx.exec(
          "DELETE FROM sip_bindings WHERE tenant_id = $1 AND extension = $2 AND contact_uri = $3",
          std::move(params));
    }
    for (const Binding& b : decision.upserts) {
      auto params = store::args(b.tenant_id, b.extension, b.contact_uri, b.source, b.transport,
                                b.user_agent, b.call_id, static_cast<std::int64_t>(b.cseq),
                                b.expires_at_ms, b.instance, b.updated_at_ms);
      co_await tx.exec(
          "INSERT INTO sip_bindings (tenant_id, extension, contact_uri, source, transport, "
          "user_agent, call_id, cseq, expires_at, instance, updated_at) VALUES ($1, $2, $3, $4, "
          "$5, $6, $7, $8, $9, $10, $11) ON CONFLICT (tenant_id, extension, contact_uri) DO "
          "UPDATE SET source = excluded.source, transport = excluded.transport, user_agent = "
          "excluded.user_agent, call_id = excluded.call_id, cseq = excluded.cseq, expires_at = "
          "excluded.expires_at, instance = excluded.instance, updated_at = excluded.updated_at",
          std::move(params));
    }
  };
  co_await db_.transaction(std::move(body));
  co_return out;
}

boost::asio::awaitable<std::vector<Binding>> Bindings::lookup(std::string tenant_id,
                                                              std::string extension,
                                                              std::int64_t now_ms) {
  auto params = store::args(tenant_id, extension, now_ms);
  store::Result rows = co_await db_.exec(
      std::string("SELECT ") + kColumns +
          " FROM sip_bindings WHERE tenant_id = $1 AND extension = $2 AND expires_at > $3 "
          "ORDER BY contact_uri",
      std::move(params));
  co_return bindings_from(tenant_id, extension, rows);
}

boost::asio::awaitable<int> Bindings::purge_expired(std::int64_t now_ms) {
  store::Result r =
      co_await db_.exec("DELETE FROM sip_bindings WHERE expires_at <= $1", store::args(now_ms));
  co_return static_cast<int>(r.affected_rows);
}

}  // namespace irisx::voice::registrar
