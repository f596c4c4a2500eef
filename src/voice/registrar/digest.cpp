#include "voice/registrar/digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "common/crypto.hpp"

namespace irisx::voice::registrar {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// MD5 is only here because SIP digest still requires it (RFC 3261 §22.4); nothing else in the
// platform should use it, so it stays local rather than in common/crypto.
std::string md5_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(MD5) failed");
  }
  return crypto::hex(std::string_view(reinterpret_cast<const char*>(out.data()), size));
}

std::string hash_hex(std::string_view data, Algorithm algorithm) {
  return algorithm == Algorithm::md5 ? md5_hex(data) : crypto::sha256_hex(data);
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) out += ':';
    out += p;
    first = false;
  }
  return out;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 3261 §25.1 token characters.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

// A cursor over the header value; every read is bounds-checked.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_ws() {
    while (!done() && is_ws(peek())) ++pos_;
  }
  bool eat(char c) {
    if (done() || peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view token() {
    std::size_t start = pos_;
    while (!done() && is_token_char(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // RFC 3261 §25.1 quoted-string with quoted-pair; the opening quote is already consumed.
  std::optional<std::string> quoted() {
    std::string out;
    while (!done()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done()) return std::nullopt;
        c = text_[pos_++];
      }
      // Control characters other than tab are not qdtext (RFC 3261 §25.1).
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return std::nullopt;
      if (out.size() >= kMaxParameterSize) return std::nullopt;
      out += c;
    }
    return std::nullopt;  // unterminated
  }
  // Unquoted values: tolerant of clients that leave out quotes around uri or nonce, so anything
  // up to whitespace or a comma that is printable and not a quote.
  std::string_view bare() {
    std::size_t start = pos_;
    while (!done()) {
      char c = peek();
      if (is_ws(c) || c == ',' || c == '"' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        break;
      }
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string* field_for(Credentials& c, std::string_view name) {
  if (iequals(name, "username")) return &c.username;
  if (iequals(name, "realm")) return &c.realm;
  if (iequals(name, "nonce")) return &c.nonce;
  if (iequals(name, "uri")) return &c.uri;
  if (iequals(name, "response")) return &c.response;
  if (iequals(name, "algorithm")) return &c.algorithm;
  if (iequals(name, "cnonce")) return &c.cnonce;
  if (iequals(name, "qop")) return &c.qop;
  if (iequals(name, "nc")) return &c.nc;
  if (iequals(name, "opaque")) return &c.opaque;
  return nullptr;
}

// Escapes for a quoted-string (RFC 3261 §25.1 quoted-pair).
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

constexpr std::size_t kStampSize = 8;
constexpr std::size_t kRandomSize = 16;
constexpr std::size_t kMacSize = 32;

}  // namespace

std::string_view algorithm_name(Algorithm algorithm) {
  return algorithm == Algorithm::md5 ? "MD5" : "SHA-256";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  if (iequals(name, "MD5")) return Algorithm::md5;
  if (iequals(name, "SHA-256")) return Algorithm::sha256;
  return std::nullopt;
}

std::string ha1(std::string_view username, std::string_view realm, std::string_view password,
                Algorithm algorithm) {
  return hash_hex(join({username, realm, password}), algorithm);
}

std::optional<Credentials> parse_authorization(std::string_view header_value) {
  if (header_value.size() > kMaxAuthorizationSize) return std::nullopt;
  Scanner in(header_value);
  in.skip_ws();
  if (!iequals(in.token(), "Digest")) return std::nullopt;
  if (in.done() || !is_ws(in.peek())) return std::nullopt;

  Credentials out;
  std::size_t count = 0;
  bool expect_item = true;  // after the scheme or a comma
  while (true) {
    in.skip_ws();
    if (in.done()) break;
    if (in.eat(',')) {  // RFC 7230 §7 list rule: empty elements are allowed and ignored
      expect_item = true;
      continue;
    }
    if (!expect_item) return std::nullopt;  // two parameters without a comma between them
    std::string_view name = in.token();
    if (name.empty()) return std::nullopt;
    in.skip_ws();
    if (!in.eat('=')) return std::nullopt;
    in.skip_ws();
    std::string value;
    if (in.eat('"')) {
      std::optional<std::string> q = in.quoted();
      if (!q) return std::nullopt;
      value = std::move(*q);
    } else {
      std::string_view b = in.bare();
      if (b.empty() || b.size() > kMaxParameterSize) return std::nullopt;
      value = std::string(b);
    }
    if (++count > kMaxParameters) return std::nullopt;
    if (std::string* field = field_for(out, name)) {
      if (!field->empty()) return std::nullopt;  // a repeated parameter is ambiguous
      *field = std::move(value);
    }
    expect_item = false;
  }
  if (out.username.empty() || out.realm.empty() || out.nonce.empty() || out.uri.empty() ||
      out.response.empty()) {
    return std::nullopt;
  }
  return out;
}

std::string expected_response(std::string_view ha1_hex, std::string_view method,
                              std::string_view uri, std::string_view nonce, std::string_view nc,
                              std::string_view cnonce, std::string_view qop, Algorithm algorithm) {
  // RFC 2617 §3.2.2.3: A2 = Method ":" digest-uri-value for qop=auth or no qop.
  const std::string ha2 = hash_hex(join({method, uri}), algorithm);
  // RFC 2617 §3.2.2.1; without qop the RFC 2069 form KD(H(A1), nonce ":" H(A2)).
  if (qop.empty()) return hash_hex(join({ha1_hex, nonce, ha2}), algorithm);
  return hash_hex(join({ha1_hex, nonce, nc, cnonce, qop, ha2}), algorithm);
}

bool verify(const Credentials& credentials, std::string_view method, std::string_view stored_ha1,
            Algorithm algorithm) {
  if (credentials.algorithm.empty()) {
    if (algorithm != Algorithm::md5) return false;  // absent means MD5 (RFC 2617 §3.2.1)
  } else {
    std::optional<Algorithm> named = parse_algorithm(credentials.algorithm);
    if (!named || *named != algorithm) return false;
  }
  if (!credentials.qop.empty()) {
    if (!iequals(credentials.qop, "auth")) return false;  // auth-int is not supported
    if (credentials.cnonce.empty() || credentials.nc.empty()) return false;
  }
  const std::string expected = expected_response(
      to_lower(stored_ha1), method, credentials.uri, credentials.nonce, credentials.nc,
      credentials.cnonce, credentials.qop.empty() ? std::string_view() : "auth", algorithm);
  // Hex is case-insensitive on the wire; compare lowercase in constant time.
  return crypto::constant_time_equal(expected, to_lower(credentials.response));
}

std::string challenge(std::string_view realm, std::string_view nonce, Algorithm algorithm,
                      bool stale) {
  std::string out = "Digest realm=" + quote(realm) + ", nonce=" + quote(nonce) +
                    ", algorithm=" + std::string(algorithm_name(algorithm)) + ", qop=\"auth\"";
  if (stale) out += ", stale=true";
  return out;
}

NonceIssuer::NonceIssuer(std::string secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {
  if (secret_.size() < 16) throw std::invalid_argument("nonce secret shorter than 16 bytes");
  if (lifetime.count() <= 0) throw std::invalid_argument("nonce lifetime must be positive");
}

std::string NonceIssuer::issue(time_point now) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const auto stamp = static_cast<std::uint64_t>(ms.count());
  std::string body(kStampSize, '\0');
  for (std::size_t i = 0; i < kStampSize; ++i) {
    body[i] = static_cast<char>((stamp >> (8 * (kStampSize - 1 - i))) & 0xff);
  }
  body += crypto::random_bytes(kRandomSize);
  return crypto::base64url(body + crypto::hmac_sha256(secret_, body));
}

NonceIssuer::Check NonceIssuer::check(std::string_view nonce, time_point now) const {
  // base64url of 56 bytes is 75 characters; anything else is not ours.
  if (nonce.size() != 75) return Check::invalid;
  std::optional<std::string> raw = crypto::base64url_decode(nonce);
  if (!raw || raw->size() != kStampSize + kRandomSize + kMacSize) return Check::invalid;
  const std::string_view all(*raw);
  const std::string_view body = all.substr(0, kStampSize + kRandomSize);
  if (!crypto::constant_time_equal(crypto::hmac_sha256(secret_, body),
                                   all.substr(kStampSize + kRandomSize))) {
    return Check::invalid;
  }
  std::uint64_t stamp = 0;
  for (std::size_t i = 0; i < kStampSize; ++i) {
    stamp = (stamp << 8) | static_cast<unsigned char>(body[i]);
  }
  // Only reachable with our own MAC, but keep the arithmetic below far from overflow.
  if (stamp > (std::uint64_t{1} << 60)) return Check::invalid;
  const auto issued = std::chrono::milliseconds(static_cast<std::int64_t>(stamp));
  const auto current =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const auto age = current - issued;
  if (age > lifetime_) return Check::stale;
  if (-age > lifetime_) return Check::invalid;  // from far in the future: a node's clock is off
  return Check::valid;
}

}  // namespace irisx::voice::registrar
