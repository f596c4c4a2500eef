#include "voice/trunks/match.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::trunks {
namespace {

Trunk trunk(std::string name, std::vector<std::string> networks) {
  Trunk t;
  t.name = std::move(name);
  t.host = "sip.carrier.example";
  t.inbound_networks = std::move(networks);
  return t;
}

std::string matched(const std::vector<Trunk>& trunks, const std::string& ip) {
  const Trunk* t = trunk_for_source(trunks, ip);
  return t == nullptr ? "" : t->name;
}

TEST(TrunkForSource, Ipv4PrefixBoundariesAreExact) {
  const std::vector<Trunk> trunks = {trunk("a", {"203.0.113.0/25"}),
                                     trunk("b", {"198.51.100.7/32"}), trunk("c", {"10.0.0.0/9"})};
  EXPECT_EQ(matched(trunks, "203.0.113.0"), "a");
  EXPECT_EQ(matched(trunks, "203.0.113.127"), "a");
  EXPECT_EQ(matched(trunks, "203.0.113.128"), "");
  EXPECT_EQ(matched(trunks, "198.51.100.7"), "b");
  EXPECT_EQ(matched(trunks, "198.51.100.8"), "");
  EXPECT_EQ(matched(trunks, "10.127.255.255"), "c");
  EXPECT_EQ(matched(trunks, "10.128.0.0"), "");
}

TEST(TrunkForSource, Ipv6PrefixBoundariesAreExact) {
  const std::vector<Trunk> trunks = {trunk("a", {"2001:db8:0:80::/57"}),
                                     trunk("b", {"2001:db8::10/128"})};
  EXPECT_EQ(matched(trunks, "2001:db8:0:80::1"), "a");
  EXPECT_EQ(matched(trunks, "2001:db8:0:ff:ffff:ffff:ffff:ffff"), "a");
  EXPECT_EQ(matched(trunks, "2001:db8:0:100::"), "");
  EXPECT_EQ(matched(trunks, "2001:db8:0:7f::1"), "");
  EXPECT_EQ(matched(trunks, "2001:db8::10"), "b");
  EXPECT_EQ(matched(trunks, "2001:0db8:0000::0010"), "b") << "any spelling of the address";
  EXPECT_EQ(matched(trunks, "2001:db8::11"), "");
}

TEST(TrunkForSource, FirstMatchingTrunkInFileOrderWins) {
  const std::vector<Trunk> trunks = {trunk("none", {}), trunk("wide", {"192.0.2.0/24"}),
                                     trunk("narrow", {"192.0.2.10/32"})};
  EXPECT_EQ(matched(trunks, "192.0.2.10"), "wide");
}

TEST(TrunkForSource, AnyOfATrunksNetworksMatches) {
  const std::vector<Trunk> trunks = {trunk("a", {"192.0.2.0/24", "2001:db8::/32"})};
  EXPECT_EQ(matched(trunks, "192.0.2.1"), "a");
  EXPECT_EQ(matched(trunks, "2001:db8::1"), "a");
}

TEST(TrunkForSource, FamiliesDoNotCrossMatch) {
  // ::/0 covers every IPv6 address; 0.0.0.0/0 every IPv4 one; neither the other family.
  EXPECT_EQ(matched({trunk("v6", {"::/0"})}, "192.0.2.1"), "");
  EXPECT_EQ(matched({trunk("v4", {"0.0.0.0/0"})}, "2001:db8::1"), "");
}

TEST(TrunkForSource, Ipv4MappedAddressMatchesAsIpv4) {
  const std::vector<Trunk> trunks = {trunk("a", {"203.0.113.0/24"})};
  EXPECT_EQ(matched(trunks, "::ffff:203.0.113.9"), "a");
  EXPECT_EQ(matched(trunks, "::ffff:198.51.100.1"), "");
}

TEST(TrunkForSource, GarbageIpMatchesNothing) {
  const std::vector<Trunk> trunks = {trunk("all-v4", {"0.0.0.0/0"}), trunk("all-v6", {"::/0"})};
  for (const char* ip : {"", "garbage", "192.0.2", "192.0.2.1/32", "192.0.2.1:5060",
                         "[2001:db8::1]", "192.0.2.256", " 192.0.2.1", "fe80::1%eth0"}) {
    EXPECT_EQ(trunk_for_source(trunks, ip), nullptr) << ip;
  }
}

TEST(TrunkForSource, TrunkWithoutNetworksNeverMatches) {
  EXPECT_EQ(matched({trunk("dns-only", {})}, "192.0.2.1"), "");
}

TEST(TrunkForSource, MalformedNetworkEntryIsIgnored) {
  // Only hand-built trunks can hold one: load_trunks refuses it.
  const std::vector<Trunk> trunks = {trunk("bad", {"nonsense"}), trunk("good", {"192.0.2.0/24"})};
  EXPECT_EQ(matched(trunks, "192.0.2.1"), "good");
}

TEST(TrunkForSource, ReturnsAPointerIntoTheGivenVector) {
  const std::vector<Trunk> trunks = {trunk("a", {"192.0.2.0/24"})};
  EXPECT_EQ(trunk_for_source(trunks, "192.0.2.1"), &trunks[0]);
}

}  // namespace
}  // namespace irisx::voice::trunks
