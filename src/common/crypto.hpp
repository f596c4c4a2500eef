#pragma once
// Small wrappers over OpenSSL used across the platform: CSPRNG, hashes, HMAC, encodings and
// constant-time comparison.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irisx::crypto {

std::string random_bytes(std::size_t n);
std::string random_hex(std::size_t bytes);  // 2*bytes lowercase hex characters
std::string hex(std::string_view bytes);
std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string base64(std::string_view bytes);
std::string base64url(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);
std::optional<std::string> base64_decode(std::string_view text);
// AES-256-GCM with a random nonce: base64(nonce || ciphertext || tag). For secrets at rest.
std::string seal(std::string_view key32, std::string_view plaintext);
std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed);
// Compares without an early exit, so timing does not reveal where inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace irisx::crypto
