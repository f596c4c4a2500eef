#include "voice/registrar/digest_check.hpp"

#include <utility>

namespace irisx::voice::registrar {

DigestCheck::DigestCheck(std::string nonce_secret, std::chrono::seconds nonce_lifetime)
    : nonces_(std::move(nonce_secret), nonce_lifetime) {}

std::string DigestCheck::challenge(std::string_view realm, bool stale, time_point now) const {
  return registrar::challenge(realm, nonces_.issue(now), Algorithm::md5, stale);
}

DigestCheck::Screened DigestCheck::screen(std::string_view header_value, time_point now) const {
  Screened out;
  if (header_value.empty()) return out;
  auto credentials = parse_authorization(header_value);
  if (!credentials) {
    out.outcome = Outcome::malformed;
    return out;
  }
  switch (nonces_.check(credentials->nonce, now)) {
    case NonceIssuer::Check::invalid:
      out.outcome = Outcome::renew;
      return out;
    case NonceIssuer::Check::stale:
      out.outcome = Outcome::stale;
      return out;
    case NonceIssuer::Check::valid:
      break;
  }
  // Absent means MD5 (RFC 2617 §3.2.1).
  const auto algorithm =
      parse_algorithm(credentials->algorithm.empty() ? "MD5" : credentials->algorithm);
  if (!algorithm) {
    out.outcome = Outcome::renew;
    return out;
  }
  out.outcome = Outcome::usable;
  out.credentials = std::move(*credentials);
  out.algorithm = *algorithm;
  return out;
}

}  // namespace irisx::voice::registrar
