#include "voice/registrar/credentials.hpp"

#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::voice::registrar {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, extension, realm, ha1_md5, ha1_sha256, created_at, updated_at";

std::string select_from() {
  return std::string("SELECT ") + kColumns + " FROM sip_credentials ";
}

StoredCredential credential_from(const store::Row& row) {
  StoredCredential c;
  c.id = row.text(0);
  c.tenant_id = row.text(1);
  c.extension = row.text(2);
  c.realm = row.text(3);
  c.ha1_md5 = row.text(4);
  c.ha1_sha256 = row.text(5);
  c.created_at_ms = row.int64(6);
  c.updated_at_ms = row.int64(7);
  return c;
}

}  // namespace

std::string default_realm(std::string_view tenant_id) {
  std::string realm(tenant_id);
  for (char& c : realm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return realm.append(kDefaultRealmSuffix);
}

boost::asio::awaitable<StoredCredential> CredentialStore::set_password(
    std::string tenant_id, std::string extension, std::string realm, std::string password,
    store::ChangeRecorder<StoredCredential> record) {
  const std::string md5 = ha1(extension, realm, password, Algorithm::md5);
  const std::string sha256 = ha1(extension, realm, password, Algorithm::sha256);
  const std::int64_t now = now_ms();
  const std::string id = new_id("SC");
  auto params = store::args(id, tenant_id, extension, realm, md5, sha256, now);
  StoredCredential stored;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result r = co_await tx.exec(
        std::string("INSERT INTO sip_credentials (id, tenant_id, extension, realm, ha1_md5, "
                    "ha1_sha256, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                    "ON CONFLICT (tenant_id, extension) DO UPDATE SET realm = excluded.realm, "
                    "ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, updated_at = "
                    "excluded.updated_at RETURNING ") +
            kColumns,
        params);
    stored = credential_from(r.front());
    // A replaced credential keeps its row, and so its id.
    const std::string type = stored.id == id ? "sip_credential.created" : "sip_credential.updated";
    if (record) co_await record(tx, type, stored);
  });
  co_return stored;
}

boost::asio::awaitable<std::optional<StoredCredential>> CredentialStore::find(
    std::string tenant_id, std::string extension) {
  auto params = store::args(tenant_id, extension);
  store::Result r = co_await db_.exec(select_from() + "WHERE tenant_id = $1 AND extension = $2",
                                      std::move(params));
  if (r.empty()) co_return std::nullopt;
  co_return credential_from(r.front());
}

boost::asio::awaitable<std::optional<StoredCredential>> CredentialStore::find_by_realm(
    std::string realm, std::string extension) {
  auto params = store::args(realm, extension);
  store::Result r = co_await db_.exec(select_from() + "WHERE realm = $1 AND extension = $2 LIMIT 2",
                                      std::move(params));
  if (r.rows.size() != 1) co_return std::nullopt;
  co_return credential_from(r.front());
}

boost::asio::awaitable<store::Page<StoredCredential>> CredentialStore::list(
    std::string tenant_id, store::PageRequest page) {
  std::string sql = select_from() + "WHERE tenant_id = $1";
  store::Params params = store::args(tenant_id);
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(std::move(sql), std::move(params));
  std::vector<StoredCredential> rows;
  for (const auto& row : r.rows) rows.push_back(credential_from(row));
  co_return store::to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<bool> CredentialStore::remove(
    std::string tenant_id, std::string extension, store::ChangeRecorder<StoredCredential> record) {
  auto params = store::args(tenant_id, extension);
  bool removed = false;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result r = co_await tx.exec(
        std::string("DELETE FROM sip_credentials WHERE tenant_id = $1 AND extension = $2 "
                    "RETURNING ") +
            kColumns,
        params);
    if (r.empty()) co_return;
    removed = true;
    const StoredCredential gone = credential_from(r.front());
    if (record) co_await record(tx, "sip_credential.deleted", gone);
  });
  co_return removed;
}

}  // namespace irisx::voice::registrar
