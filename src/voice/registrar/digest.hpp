#pragma once
// SIP digest authentication for the registrar: RFC 3261 §22 (which profiles RFC 2617), RFC 7616
// and RFC 8760 (SHA-256 for SIP). Pure functions and a stateless nonce issuer; no SIP stack.
//
// Not here: MD5-sess / SHA-256-sess, qop=auth-int, SHA-512-256, the `userhash` parameter and
// replay protection of nonce counts (nc). A nonce can be reused until it expires; a replayed
// REGISTER only refreshes the binding its owner asked for (RFC 3261 §22.1 accepts that risk).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace irisx::voice::registrar {

enum class Algorithm { md5, sha256 };

// "MD5" or "SHA-256", as written in the algorithm parameter (RFC 7616 §3.3, RFC 8760 §2).
std::string_view algorithm_name(Algorithm algorithm);
// Case-insensitive; nullopt for anything else (including the -sess variants, unsupported).
std::optional<Algorithm> parse_algorithm(std::string_view name);

// H(username ":" realm ":" password), lowercase hex (RFC 2617 §3.2.2.2, RFC 7616 §3.4.2). The
// registrar stores this, never the password.
std::string ha1(std::string_view username, std::string_view realm, std::string_view password,
                Algorithm algorithm);

// The parameters of an Authorization / Proxy-Authorization value (RFC 3261 §25.1
// digest-response). Values are unquoted and unescaped; absent parameters are empty.
struct Credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  std::string algorithm;  // empty means MD5 (RFC 2617 §3.2.1)
  std::string cnonce;
  std::string qop;
  std::string nc;
  std::string opaque;
};

// Bounds on untrusted input: the whole header value and any one parameter value.
inline constexpr std::size_t kMaxAuthorizationSize = 4096;
inline constexpr std::size_t kMaxParameterSize = 1024;
inline constexpr std::size_t kMaxParameters = 32;

// Parses `Digest k=v, k="v", …`: names case-insensitive, any order, unknown parameters ignored,
// linear whitespace anywhere between items. nullopt when the scheme is not Digest, the syntax is
// broken, a limit is exceeded, a known parameter repeats, or username, realm, nonce, uri or
// response is missing. Never throws on any input.
std::optional<Credentials> parse_authorization(std::string_view header_value);

// True when `credentials.response` is the response expected for `method` and the stored HA1
// (lowercase hex of `algorithm`). Handles qop=auth (RFC 2617 §3.2.2.1, needs cnonce and nc) and
// no qop (RFC 2069 compatibility). False for qop=auth-int, a -sess algorithm, or an algorithm
// parameter naming a different algorithm. The comparison takes constant time. Checking the
// nonce, realm and username against the request is the caller's job.
bool verify(const Credentials& credentials, std::string_view method, std::string_view stored_ha1,
            Algorithm algorithm);

// The expected response itself (lowercase hex); used by verify() and by tests and clients.
// `qop` empty selects the RFC 2069 form.
std::string expected_response(std::string_view ha1_hex, std::string_view method,
                              std::string_view uri, std::string_view nonce, std::string_view nc,
                              std::string_view cnonce, std::string_view qop, Algorithm algorithm);

// A WWW-Authenticate / Proxy-Authenticate value (RFC 3261 §22.4, RFC 2617 §3.2.1):
// `Digest realm="…", nonce="…", algorithm=MD5, qop="auth"` and `, stale=true` when the
// client's nonce was genuine but expired, so it retries without asking its user again.
std::string challenge(std::string_view realm, std::string_view nonce, Algorithm algorithm,
                      bool stale);

// Stateless nonces: base64url(timestamp_ms[8, big-endian] ‖ random[16] ‖
// HMAC-SHA256(secret, timestamp ‖ random)[32]). Any node holding the secret can check a nonce
// another node issued, so REGISTERs can land on any voice node.
class NonceIssuer {
 public:
  using time_point = std::chrono::system_clock::time_point;
  enum class Check { valid, stale, invalid };

  // Throws std::invalid_argument when the secret is shorter than 16 bytes or the lifetime is
  // not positive: configuration errors found at start-up.
  NonceIssuer(std::string secret, std::chrono::seconds lifetime);

  std::string issue(time_point now) const;

  // valid: ours and within its lifetime (either side of `now`, tolerating clock skew between
  // nodes); stale: ours but too old (answer 401 with stale=true, RFC 2617 §3.2.1); invalid:
  // not ours, altered, or malformed.
  Check check(std::string_view nonce, time_point now) const;

 private:
  std::string secret_;
  std::chrono::milliseconds lifetime_;
};

}  // namespace irisx::voice::registrar
