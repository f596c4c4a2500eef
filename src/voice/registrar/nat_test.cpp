#include "voice/registrar/nat.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::registrar {
namespace {

Binding binding(std::string contact, std::string source, std::string transport = "udp") {
  Binding b;
  b.contact_uri = std::move(contact);
  b.source = std::move(source);
  b.transport = std::move(transport);
  return b;
}

TEST(ContactAddress, ReadsHostAndPortPastUserAndParameters) {
  EXPECT_EQ(contact_address("sip:1001@192.168.1.20:5062;transport=udp"),
            (HostPort{"192.168.1.20", 5062}));
  EXPECT_EQ(contact_address("sip:phone.example.com"), (HostPort{"phone.example.com", 5060}));
  EXPECT_EQ(contact_address("sips:1001@10.0.0.1"), (HostPort{"10.0.0.1", 5061}));
  EXPECT_EQ(contact_address("sip:1001@[2001:db8::7]:5070;ob"), (HostPort{"2001:db8::7", 5070}));
}

TEST(ContactAddress, RefusesWhatIsNotASipUriWithAHost) {
  EXPECT_FALSE(contact_address("tel:+15551234567"));
  EXPECT_FALSE(contact_address("sip:1001@"));
  EXPECT_FALSE(contact_address("sip:1001@host:0"));
  EXPECT_FALSE(contact_address("sip:1001@host:99999"));
  EXPECT_FALSE(contact_address("sip:1001@host:5x"));
  EXPECT_FALSE(contact_address("sip:1001@[2001:db8::7"));
}

TEST(SourceAddress, TakesThePortAfterTheLastColon) {
  EXPECT_EQ(source_address("203.0.113.7:40112"), (HostPort{"203.0.113.7", 40112}));
  EXPECT_EQ(source_address("::1:5060"), (HostPort{"::1", 5060}));
  EXPECT_FALSE(source_address("203.0.113.7"));
  EXPECT_FALSE(source_address(""));
}

TEST(NextHop, IsTheSourceWhenTheContactNamesAPrivateAddress) {
  EXPECT_EQ(next_hop(binding("sip:1001@192.168.1.20:5062", "203.0.113.7:40112")),
            "sip:203.0.113.7:40112;transport=udp");
  EXPECT_EQ(next_hop(binding("sip:1001@192.168.1.20:5062", "::1:5060", "tcp")),
            "sip:[::1]:5060;transport=tcp");
}

TEST(PrivateAddress, CoversTheRangesBehindNatsButNotLoopbackOrPublicOrNames) {
  for (const char* host : {"10.1.2.3", "172.31.255.1", "192.168.0.10", "100.64.0.1", "169.254.1.1",
                           "fd00::1", "fe80::1"})
    EXPECT_TRUE(is_private_address(host)) << host;
  for (const char* host :
       {"127.0.0.1", "::1", "172.32.0.1", "203.0.113.7", "2001:db8::1", "phone.example.com", ""})
    EXPECT_FALSE(is_private_address(host)) << host;
}

TEST(NextHop, IsEmptyWhenTheContactCanBeUsedAsItIs) {
  EXPECT_EQ(next_hop(binding("sip:1001@203.0.113.7:40112;transport=udp", "203.0.113.7:40112")), "");
  EXPECT_EQ(next_hop(binding("sip:1001@203.0.113.7", "203.0.113.7:5060")), "");
  // Third-party registration: another public host, or another port of the source's host.
  EXPECT_EQ(next_hop(binding("sip:1001@198.51.100.9:5060", "203.0.113.7:5060")), "");
  EXPECT_EQ(next_hop(binding("sip:1001@127.0.0.1:5070", "127.0.0.1:40000")), "");
  EXPECT_EQ(next_hop(binding("sip:1001@192.168.1.20:5070", "192.168.1.20:40000")), "");
  EXPECT_EQ(next_hop(binding("sip:1001@192.168.1.20", "")), "");
  EXPECT_EQ(next_hop(binding("tel:+1555", "203.0.113.7:5060")), "");
}

}  // namespace
}  // namespace irisx::voice::registrar
