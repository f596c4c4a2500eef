#pragma once
// SIP credentials of tenant extensions (table sip_credentials, migration 4). Only HA1 values
// are kept (RFC 2617 §4.13: HA1 is password-equivalent for its realm but not the password), one
// per algorithm the registrar offers. The digest username is the extension.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "store/pagination.hpp"
#include "voice/registrar/digest.hpp"

namespace irisx::voice::registrar {

struct StoredCredential {
  std::string id;  // "SC…"
  std::string tenant_id;
  std::string extension;
  std::string realm;
  std::string ha1_md5;
  std::string ha1_sha256;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;

  const std::string& ha1(Algorithm algorithm) const {
    return algorithm == Algorithm::md5 ? ha1_md5 : ha1_sha256;
  }
};

// The realm of a tenant's extensions when none is chosen: the tenant id in lower case under
// sip.irisx.local ("tn0190….sip.irisx.local"). It needs no DNS or configuration, and it is one
// tenant's alone (the API refuses names under sip.irisx.local as a chosen realm), so
// find_by_realm never meets two tenants there. Phones use it as their SIP domain and reach
// IRISX through an outbound proxy setting.
inline constexpr std::string_view kDefaultRealmSuffix = ".sip.irisx.local";
std::string default_realm(std::string_view tenant_id);

class CredentialStore {
 public:
  explicit CredentialStore(store::Database& db) : db_(db) {}

  // Creates or replaces the extension's credential, and returns it. The realm is part of HA1, so
  // changing a tenant's realm needs every password set again. Changes are recorded through `record`
  // (sip_credential.created, .updated, .deleted), when given.
  boost::asio::awaitable<StoredCredential> set_password(
      std::string tenant_id, std::string extension, std::string realm, std::string password,
      store::ChangeRecorder<StoredCredential> record = {});

  // By tenant: when the wiring already knows the tenant (from the request's domain).
  boost::asio::awaitable<std::optional<StoredCredential>> find(std::string tenant_id,
                                                               std::string extension);

  // By the realm the client answered with, when realms are per tenant. nullopt when none, or
  // when several tenants share the realm and extension: guessing a tenant is worse than a 401.
  boost::asio::awaitable<std::optional<StoredCredential>> find_by_realm(std::string realm,
                                                                        std::string extension);

  // A tenant's credentials, newest first over (created_at, id) (store/pagination.hpp).
  boost::asio::awaitable<store::Page<StoredCredential>> list(std::string tenant_id,
                                                             store::PageRequest page);

  // Returns whether a credential was deleted. Bindings are left to expire.
  boost::asio::awaitable<bool> remove(std::string tenant_id, std::string extension,
                                      store::ChangeRecorder<StoredCredential> record = {});

 private:
  store::Database& db_;
};

}  // namespace irisx::voice::registrar
