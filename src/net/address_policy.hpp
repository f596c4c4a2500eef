#pragma once
// Which network addresses outbound requests (webhooks) may reach. Tenants choose the URLs, so
// without this guard a tenant could make us call our own loopback services, the private
// network or a cloud metadata endpoint (SSRF). Operators may allow chosen ranges back in.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace irisx::net {

// An IPv4 or IPv6 network; host bits beyond the prefix are always zero.
struct Cidr {
  enum class Family { v4, v6 };
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  // network order; only the first 4 used for v4
  int prefix = 0;

  bool contains(Family f, const std::uint8_t* address) const;
  std::string to_string() const;
};

// "127.0.0.0/8", "::1/128", "10.1.2.3" (= /32), "::1" (= /128). Host bits are cleared, so
// "10.1.2.3/8" means 10.0.0.0/8.
std::optional<Cidr> parse_cidr(std::string_view text);

class AddressPolicy {
 public:
  explicit AddressPolicy(std::vector<Cidr> allow = {});
  // Throws std::invalid_argument naming the first entry that is not a CIDR.
  static AddressPolicy from_strings(const std::vector<std::string>& cidrs);

  // True when connecting to this address is allowed: public unicast, or inside the allowlist.
  // Families other than IPv4 and IPv6 are refused.
  bool allows(const sockaddr* addr) const;
  // False for anything that is not an IP literal.
  bool allows_ip(std::string_view ip_literal) const;

  const std::vector<Cidr>& allowlist() const { return allow_; }

 private:
  bool allowlisted(Cidr::Family family, const std::uint8_t* address) const;
  bool allows_v4(const std::uint8_t* address) const;
  bool allows_v6(const std::uint8_t* address) const;

  std::vector<Cidr> allow_;
};

// The IP of an AF_INET or AF_INET6 address as text ("127.0.0.1", "::1"); "" for other families.
std::string ip_string(const sockaddr* addr);

// Why a URL is not acceptable as a webhook target, or nullopt when it is: http or https only, a
// host, no userinfo, a valid port, and every address the host resolves to allowed by `policy`.
// Resolving blocks the calling thread (getaddrinfo): call it off the event loop.
std::optional<std::string> url_problem(std::string_view url, const AddressPolicy& policy);

}  // namespace irisx::net
