#pragma once
// HS256 JSON Web Tokens (RFC 7519) for user access tokens. Only alg HS256 is accepted.
#include <cstdint>
#include <string>
#include <string_view>

namespace irisx::identity {

struct AccessClaims {
  std::string user_id;    // sub
  std::string tenant_id;  // tid
  std::string family_id;  // fam: the login session (refresh-token family)
  std::int64_t issued_at_s = 0;
  std::int64_t expires_at_s = 0;
};

enum class TokenStatus { ok, invalid, expired };

struct VerifiedToken {
  TokenStatus status;
  AccessClaims claims;
};

std::string sign_access_token(const AccessClaims& claims, std::string_view key);
VerifiedToken verify_access_token(std::string_view token, std::string_view key, std::int64_t now_s);

}  // namespace irisx::identity
