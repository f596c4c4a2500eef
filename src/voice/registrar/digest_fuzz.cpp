// libFuzzer target for what a REGISTER's Authorization header reaches: the digest parser, the
// response check and the nonce check. Any input must parse or be refused, never crash.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "voice/registrar/digest.hpp"

using irisx::voice::registrar::Algorithm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const irisx::voice::registrar::NonceIssuer nonces("fuzzing-secret-of-32-bytes-long",
                                                           std::chrono::seconds(300));
  const auto now = std::chrono::system_clock::now();
  (void)nonces.check(input, now);
  const auto credentials = irisx::voice::registrar::parse_authorization(input);
  if (credentials) {
    const std::string stored =
        irisx::voice::registrar::ha1("1001", "example.test", "secret", Algorithm::md5);
    (void)irisx::voice::registrar::verify(*credentials, "REGISTER", stored, Algorithm::md5);
    (void)nonces.check(credentials->nonce, now);
    (void)irisx::voice::registrar::parse_algorithm(credentials->algorithm);
  }
  return 0;
}
