#include "identity/jwt.hpp"

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"

namespace irisx::identity {

namespace {
std::string header_segment() {
  static const std::string h = crypto::base64url(R"({"alg":"HS256","typ":"JWT"})");
  return h;
}
}  // namespace

std::string sign_access_token(const AccessClaims& claims, std::string_view key) {
  nlohmann::json payload = {
      {"iss", "irisx"},          {"sub", claims.user_id},     {"tid", claims.tenant_id},
      {"fam", claims.family_id}, {"iat", claims.issued_at_s}, {"exp", claims.expires_at_s},
      {"typ", "access"}};
  std::string signing_input = header_segment() + "." + crypto::base64url(payload.dump());
  return signing_input + "." + crypto::base64url(crypto::hmac_sha256(key, signing_input));
}

VerifiedToken verify_access_token(std::string_view token, std::string_view key,
                                  std::int64_t now_s) {
  VerifiedToken invalid{TokenStatus::invalid, {}};
  std::size_t first = token.find('.');
  std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return invalid;
  std::string_view signing_input = token.substr(0, second);
  auto signature = crypto::base64url_decode(token.substr(second + 1));
  if (!signature ||
      !crypto::constant_time_equal(*signature, crypto::hmac_sha256(key, signing_input))) {
    return invalid;
  }
  // The signature is ours, but the header must still say HS256 (no alg confusion).
  auto header = crypto::base64url_decode(token.substr(0, first));
  auto payload = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!header || !payload) return invalid;
  auto h = nlohmann::json::parse(*header, nullptr, false);
  auto p = nlohmann::json::parse(*payload, nullptr, false);
  if (!h.is_object() || !p.is_object() || h.value("alg", "") != "HS256") return invalid;
  if (p.value("typ", "") != "access" || !p["sub"].is_string() || !p["tid"].is_string() ||
      !p["fam"].is_string() || !p["exp"].is_number_integer() || !p["iat"].is_number_integer()) {
    return invalid;
  }
  VerifiedToken out{
      TokenStatus::ok,
      {p["sub"].get<std::string>(), p["tid"].get<std::string>(), p["fam"].get<std::string>(),
       p["iat"].get<std::int64_t>(), p["exp"].get<std::int64_t>()}};
  if (out.claims.expires_at_s <= now_s) out.status = TokenStatus::expired;
  return out;
}

}  // namespace irisx::identity
