#include "voice/trunks/match.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "net/address_policy.hpp"

namespace irisx::voice::trunks {
namespace {

using Family = net::Cidr::Family;

struct Address {
  Family family;
  std::array<std::uint8_t, 16> bytes{};
};

std::optional<Address> parse_ip(const std::string& ip) {
  Address a{Family::v4};
  if (inet_pton(AF_INET, ip.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, ip.c_str(), a.bytes.data()) != 1) return std::nullopt;
  // RFC 4291 §2.5.5.2: ::ffff:0:0/96 carries an IPv4 address.
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::array<std::uint8_t, 16> v4{};
    std::copy_n(a.bytes.begin() + 12, 4, v4.begin());
    a.bytes = v4;
    return a;
  }
  a.family = Family::v6;
  return a;
}

bool contains(const std::vector<std::string>& networks, const Address& a) {
  return std::any_of(networks.begin(), networks.end(), [&](const std::string& text) {
    const auto cidr = net::parse_cidr(text);
    return cidr && cidr->contains(a.family, a.bytes.data());
  });
}

}  // namespace

const Trunk* trunk_for_source(const std::vector<Trunk>& trunks, const std::string& ip) {
  const auto address = parse_ip(ip);
  if (!address) return nullptr;
  const auto found = std::find_if(trunks.begin(), trunks.end(), [&](const Trunk& t) {
    return contains(t.inbound_networks, *address);
  });
  return found == trunks.end() ? nullptr : &*found;
}

}  // namespace irisx::voice::trunks
