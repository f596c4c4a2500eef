#include "net/address_policy.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>

namespace irisx::net {
namespace {

using Family = Cidr::Family;

std::vector<Cidr> parse_all(std::initializer_list<std::string_view> texts) {
  std::vector<Cidr> out;
  for (auto text : texts) out.push_back(*parse_cidr(text));
  return out;
}

// Not public unicast: RFC 6890 special-purpose registry, RFC 6598 shared address space,
// RFC 5737 documentation ranges, multicast and everything above it (reserved, broadcast).
const std::vector<Cidr>& refused_v4() {
  static const auto ranges =
      parse_all({"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                 "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
                 "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"});
  return ranges;
}

// Only 2000::/3 is allocated as global unicast (RFC 4291 §2.4), so ::, ::1, fc00::/7, fe80::/10,
// ff00::/8 and the rest fall outside it; inside it, documentation (RFC 3849) leads nowhere.
const std::vector<Cidr>& refused_v6_global() {
  static const auto ranges = parse_all({"2001:db8::/32"});
  return ranges;
}
const Cidr& global_unicast_v6() {
  static const auto range = *parse_cidr("2000::/3");
  return range;
}

// IPv6 forms that carry an IPv4 address the packet really goes to (RFC 4291 §2.5.5.2,
// RFC 6052 §2.1, RFC 3056 §2): judging them as IPv6 would let ::ffff:127.0.0.1 through.
struct EmbeddedV4 {
  Cidr prefix;
  std::size_t offset;
};
const std::vector<EmbeddedV4>& embedding_v4() {
  static const std::vector<EmbeddedV4> forms = {
      {*parse_cidr("::ffff:0:0/96"), 12},
      {*parse_cidr("64:ff9b::/96"), 12},
      {*parse_cidr("2002::/16"), 2},
  };
  return forms;
}

bool in_any(const std::vector<Cidr>& ranges, Family family, const std::uint8_t* address) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const Cidr& c) { return c.contains(family, address); });
}

void clear_host_bits(Cidr& c) {
  const int total = c.family == Family::v4 ? 32 : 128;
  for (int bit = c.prefix; bit < total; ++bit) {
    c.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
}

using CurlUrl = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(url, part, &out, flags) != CURLUE_OK) return std::nullopt;
  std::string value = out;
  curl_free(out);
  return value;
}

std::optional<std::string> parse_problem(CURLUcode rc) {
  switch (rc) {
    case CURLUE_OK:
      return std::nullopt;
    case CURLUE_NO_HOST:
      return "URL has no host";
    case CURLUE_BAD_PORT_NUMBER:
      return "URL has an invalid port";
    case CURLUE_BAD_SCHEME:
    case CURLUE_UNSUPPORTED_SCHEME:
      return "URL scheme must be http or https";
    default:
      return std::string("not a valid URL: ") + curl_url_strerror(rc);
  }
}

std::optional<std::string> resolution_problem(const std::string& host, const std::string& port,
                                              const AddressPolicy& policy) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return "host " + host + " does not resolve: " + gai_strerror(rc);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    if (!policy.allows(ai->ai_addr)) {
      return "host " + host + " resolves to blocked address " + ip_string(ai->ai_addr);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ip_string(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

bool Cidr::contains(Family f, const std::uint8_t* address) const {
  if (f != family) return false;
  const auto whole = static_cast<std::size_t>(prefix / 8);
  if (std::memcmp(bytes.data(), address, whole) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
  return (bytes[whole] & mask) == (address[whole] & mask);
}

std::string Cidr::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  Cidr c;
  if (inet_pton(AF_INET, address.c_str(), c.bytes.data()) == 1) {
    c.family = Family::v4;
    c.prefix = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), c.bytes.data()) == 1) {
    c.family = Family::v6;
    c.prefix = 128;
  } else {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    int prefix = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 ||
        prefix > c.prefix) {
      return std::nullopt;
    }
    c.prefix = prefix;
  }
  clear_host_bits(c);
  return c;
}

AddressPolicy::AddressPolicy(std::vector<Cidr> allow) : allow_(std::move(allow)) {}

AddressPolicy AddressPolicy::from_strings(const std::vector<std::string>& cidrs) {
  std::vector<Cidr> allow;
  for (const auto& text : cidrs) {
    auto cidr = parse_cidr(text);
    if (!cidr) throw std::invalid_argument("not a CIDR range: \"" + text + "\"");
    allow.push_back(*cidr);
  }
  return AddressPolicy(std::move(allow));
}

bool AddressPolicy::allows(const sockaddr* addr) const {
  if (addr == nullptr) return false;
  std::uint8_t bytes[16];
  if (addr->sa_family == AF_INET) {
    std::memcpy(bytes, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, 4);
    return allows_v4(bytes);
  }
  if (addr->sa_family == AF_INET6) {
    std::memcpy(bytes, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, 16);
    return allows_v6(bytes);
  }
  return false;
}

bool AddressPolicy::allows_ip(std::string_view ip_literal) const {
  const std::string text(ip_literal);
  sockaddr_in v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return allows(reinterpret_cast<const sockaddr*>(&v4));
  }
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return allows(reinterpret_cast<const sockaddr*>(&v6));
  }
  return false;
}

bool AddressPolicy::allowlisted(Family family, const std::uint8_t* address) const {
  return in_any(allow_, family, address);
}

bool AddressPolicy::allows_v4(const std::uint8_t* address) const {
  return allowlisted(Family::v4, address) || !in_any(refused_v4(), Family::v4, address);
}

bool AddressPolicy::allows_v6(const std::uint8_t* address) const {
  if (allowlisted(Family::v6, address)) return true;
  for (const auto& form : embedding_v4()) {
    if (form.prefix.contains(Family::v6, address)) return allows_v4(address + form.offset);
  }
  return global_unicast_v6().contains(Family::v6, address) &&
         !in_any(refused_v6_global(), Family::v6, address);
}

std::optional<std::string> url_problem(std::string_view url, const AddressPolicy& policy) {
  CurlUrl parsed(curl_url(), &curl_url_cleanup);
  if (!parsed) throw std::bad_alloc();
  const std::string text(url);
  // Any scheme parses, so that ftp:// is refused for its scheme rather than as "not a URL".
  if (auto problem = parse_problem(
          curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME))) {
    return problem;
  }
  const auto scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return "URL scheme must be http or https";
  if (url_part(parsed.get(), CURLUPART_USER) || url_part(parsed.get(), CURLUPART_PASSWORD) ||
      url_part(parsed.get(), CURLUPART_OPTIONS)) {
    return "URL must not contain credentials";
  }
  auto host = url_part(parsed.get(), CURLUPART_HOST);
  if (!host || host->empty()) return "URL has no host";
  if (host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  const auto port = url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!port || *port == "0") return "URL has an invalid port";
  return resolution_problem(*host, *port, policy);
}

}  // namespace irisx::net
