#include "webhooks/signing.hpp"

#include <stdexcept>

#include "common/crypto.hpp"

namespace irisx::webhooks {

std::string new_secret() {
  return "whsec_" + crypto::base64(crypto::random_bytes(32));
}

std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp_s,
                 std::string_view body) {
  constexpr std::string_view prefix = "whsec_";
  if (!secret.starts_with(prefix)) throw std::invalid_argument("webhook secret lacks whsec_");
  auto key = crypto::base64_decode(secret.substr(prefix.size()));
  if (!key || key->empty()) throw std::invalid_argument("webhook secret is not base64");
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp_s)).append(".").append(body);
  return "v1," + crypto::base64(crypto::hmac_sha256(*key, content));
}

std::string signature_header(const std::vector<std::string>& secrets, std::string_view id,
                             std::int64_t timestamp_s, std::string_view body) {
  std::string header;
  for (const auto& secret : secrets) {
    if (!header.empty()) header += ' ';
    header += sign(secret, id, timestamp_s, body);
  }
  return header;
}

}  // namespace irisx::webhooks
