#pragma once
// The steps every digest-protected request takes before its credentials are looked up (RFC
// 3261 §22): the challenge, parsing the answer, the nonce and the algorithm. Shared by the
// registrar (REGISTER: 401 with WWW-Authenticate) and the call router (INVITE: 407 with
// Proxy-Authenticate), so both issue and accept the same nonces.
#include <chrono>
#include <string>
#include <string_view>

#include "voice/registrar/digest.hpp"

namespace irisx::voice::registrar {

class DigestCheck {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // What an Authorization / Proxy-Authorization value amounts to before any credential lookup.
  enum class Outcome {
    absent,     // no header: challenge
    malformed,  // not a digest answer we can read: refuse (400 or 403), never challenge again
    renew,      // not our nonce, or an algorithm we do not offer: challenge again
    stale,      // our nonce, expired: challenge with stale=true (RFC 2617 §3.2.1)
    usable,     // verify `credentials` against the stored HA1 for `algorithm`
  };
  struct Screened {
    Outcome outcome = Outcome::absent;
    Credentials credentials;
    Algorithm algorithm = Algorithm::md5;
  };

  // Throws std::invalid_argument for a short secret or a non-positive lifetime (NonceIssuer).
  DigestCheck(std::string nonce_secret, std::chrono::seconds nonce_lifetime);

  // A challenge value with a fresh nonce; MD5, since every SIP phone speaks it (RFC 3261 §22.4).
  std::string challenge(std::string_view realm, bool stale, time_point now) const;

  // Never throws on any input.
  Screened screen(std::string_view header_value, time_point now) const;

 private:
  NonceIssuer nonces_;
};

}  // namespace irisx::voice::registrar
