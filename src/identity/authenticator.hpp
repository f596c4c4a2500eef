#pragma once
// Turns the credentials on a request into a Principal, or throws 401/403 ApiErrors.
// Tenant routes accept API keys (Bearer or X-API-Key) and user access tokens (JWT); admin
// routes accept only operator session tokens. Neither kind works on the other's routes.
#include <optional>
#include <string>
#include <string_view>

#include "identity/auth_cache.hpp"
#include "identity/principal.hpp"
#include "store/database.hpp"

namespace irisx::identity {

struct Credentials {
  std::optional<std::string_view> authorization;  // the Authorization header
  std::optional<std::string_view> api_key;        // the X-API-Key header
};

class Authenticator {
 public:
  Authenticator(store::Database& db, AuthCache& cache, std::string signing_key);

  boost::asio::awaitable<Principal> tenant_principal(Credentials credentials);
  boost::asio::awaitable<Principal> operator_principal(Credentials credentials);
  // The caller's tenant, from the cache when fresh.
  boost::asio::awaitable<std::optional<Tenant>> tenant(std::string tenant_id);

 private:
  boost::asio::awaitable<Principal> from_api_key(std::string_view key);
  boost::asio::awaitable<Principal> from_access_token(std::string_view token);
  boost::asio::awaitable<void> require_active_tenant(std::string tenant_id);

  store::Database& db_;
  AuthCache& cache_;
  std::string signing_key_;
};

bool looks_like_api_key(std::string_view token);
std::string hash_secret(std::string_view secret);  // SHA-256 hex of a high-entropy token

}  // namespace irisx::identity
