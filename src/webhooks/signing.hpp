#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, API.md): secrets are
// "whsec_<base64 key>"; the signature is base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))
// sent as "v1,<signature>", one per valid secret, separated by spaces.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irisx::webhooks {

std::string new_secret();  // whsec_ + base64 of 32 random bytes

// "v1,<base64>" for one secret. Throws std::invalid_argument for a secret not of our shape.
std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp_s,
                 std::string_view body);

// The webhook-signature header: every secret's signature, space-separated.
std::string signature_header(const std::vector<std::string>& secrets, std::string_view id,
                             std::int64_t timestamp_s, std::string_view body);

}  // namespace irisx::webhooks
