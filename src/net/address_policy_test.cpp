#include "net/address_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace irisx::net {
namespace {

TEST(AddressPolicy, RefusesEveryNonPublicIpv4Range) {
  const AddressPolicy policy;
  for (const char* ip : {"0.0.0.0",     "0.255.255.255",   "10.0.0.1",     "10.255.255.255",
                         "100.64.0.1",  "100.127.255.254", "127.0.0.1",    "127.255.255.254",
                         "169.254.0.1", "169.254.169.254", "172.16.0.1",   "172.31.255.255",
                         "192.0.0.1",   "192.0.2.1",       "192.168.0.1",  "192.168.255.255",
                         "198.18.0.1",  "198.19.255.255",  "198.51.100.7", "203.0.113.9",
                         "224.0.0.1",   "239.255.255.250", "240.0.0.1",    "255.255.255.255"}) {
    EXPECT_FALSE(policy.allows_ip(ip)) << ip;
  }
}

TEST(AddressPolicy, RefusesEveryNonPublicIpv6Range) {
  const AddressPolicy policy;
  for (const char* ip : {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1",
                         "ff02::1", "ff0e::1", "2001:db8::1", "::7f00:1", "100::1"}) {
    EXPECT_FALSE(policy.allows_ip(ip)) << ip;
  }
}

TEST(AddressPolicy, AllowsPublicUnicastNextToRefusedRanges) {
  const AddressPolicy policy;
  for (const char* ip :
       {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
        "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "198.17.255.255",
        "198.20.0.0", "223.255.255.255", "2001:4860::8888", "2606:4700:4700::1111"}) {
    EXPECT_TRUE(policy.allows_ip(ip)) << ip;
  }
}

TEST(AddressPolicy, JudgesMappedAndTranslatedIpv6ByTheirEmbeddedIpv4) {
  const AddressPolicy policy;
  EXPECT_FALSE(policy.allows_ip("::ffff:127.0.0.1"));
  EXPECT_FALSE(policy.allows_ip("::ffff:169.254.169.254"));
  EXPECT_FALSE(policy.allows_ip("::ffff:10.0.0.1"));
  EXPECT_FALSE(policy.allows_ip("64:ff9b::127.0.0.1"));
  EXPECT_FALSE(policy.allows_ip("64:ff9b::c0a8:0101"));  // 192.168.1.1
  EXPECT_FALSE(policy.allows_ip("2002:7f00:1::"));       // 6to4 of 127.0.0.1
  EXPECT_TRUE(policy.allows_ip("::ffff:8.8.8.8"));
  EXPECT_TRUE(policy.allows_ip("64:ff9b::8.8.8.8"));
}

TEST(AddressPolicy, AllowlistOverridesTheRefusedRanges) {
  const auto policy = AddressPolicy::from_strings({"127.0.0.0/8", "10.1.0.0/16", "fd00::/8"});
  EXPECT_TRUE(policy.allows_ip("127.0.0.1"));
  EXPECT_TRUE(policy.allows_ip("10.1.200.3"));
  EXPECT_FALSE(policy.allows_ip("10.2.0.1"));
  EXPECT_TRUE(policy.allows_ip("fd00::5"));
  EXPECT_FALSE(policy.allows_ip("fc00::5"));
  EXPECT_FALSE(policy.allows_ip("::1"));
  // The IPv4 allowlist also covers the mapped form the resolver may hand out.
  EXPECT_TRUE(policy.allows_ip("::ffff:127.0.0.1"));
  EXPECT_TRUE(policy.allows_ip("8.8.8.8"));
}

TEST(AddressPolicy, RefusesTextThatIsNotAnIpLiteral) {
  const AddressPolicy policy;
  EXPECT_FALSE(policy.allows_ip("localhost"));
  EXPECT_FALSE(policy.allows_ip("8.8.8"));
  EXPECT_FALSE(policy.allows_ip(""));
}

TEST(ParseCidr, ReadsNetworksAndBareAddresses) {
  auto v4 = parse_cidr("127.0.0.0/8");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, Cidr::Family::v4);
  EXPECT_EQ(v4->to_string(), "127.0.0.0/8");
  EXPECT_EQ(parse_cidr("10.1.2.3")->to_string(), "10.1.2.3/32");
  EXPECT_EQ(parse_cidr("::1/128")->to_string(), "::1/128");
  EXPECT_EQ(parse_cidr("::1")->prefix, 128);
  EXPECT_EQ(parse_cidr("0.0.0.0/0")->prefix, 0);
}

TEST(ParseCidr, ClearsHostBits) {
  EXPECT_EQ(parse_cidr("10.1.2.3/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(parse_cidr("172.31.255.255/12")->to_string(), "172.16.0.0/12");
  EXPECT_EQ(parse_cidr("fe80::1234/10")->to_string(), "fe80::/10");
}

TEST(ParseCidr, RejectsMalformedText) {
  for (const char* text :
       {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0/8",
        "10.0.0.0/ 8", "host.example/24", "1.2.3.4/8/8", "fe80::1%eth0/64"}) {
    EXPECT_FALSE(parse_cidr(text)) << text;
  }
}

TEST(AddressPolicy, FromStringsNamesTheBadEntry) {
  try {
    AddressPolicy::from_strings({"127.0.0.0/8", "10.0.0.0/99"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("10.0.0.0/99"), std::string::npos) << e.what();
  }
}

TEST(UrlProblem, RefusesSchemesOtherThanHttpAndHttps) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("ftp://8.8.8.8/file", policy), "URL scheme must be http or https");
  EXPECT_EQ(url_problem("file:///etc/passwd", policy), "URL scheme must be http or https");
  EXPECT_TRUE(url_problem("8.8.8.8/hook", policy));
}

TEST(UrlProblem, RefusesCredentialsInTheUrl) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("http://user:secret@8.8.8.8/", policy), "URL must not contain credentials");
  EXPECT_EQ(url_problem("http://user@8.8.8.8/", policy), "URL must not contain credentials");
}

TEST(UrlProblem, RefusesAMissingHost) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("http://", policy), "URL has no host");
  EXPECT_EQ(url_problem("https://:443/hook", policy), "URL has no host");
}

TEST(UrlProblem, RefusesAnInvalidPort) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("http://8.8.8.8:99999/", policy), "URL has an invalid port");
  EXPECT_EQ(url_problem("http://8.8.8.8:abc/", policy), "URL has an invalid port");
  EXPECT_EQ(url_problem("http://8.8.8.8:0/", policy), "URL has an invalid port");
}

TEST(UrlProblem, RefusesLoopbackUnlessAllowlisted) {
  EXPECT_EQ(url_problem("http://127.0.0.1:9/", AddressPolicy()),
            "host 127.0.0.1 resolves to blocked address 127.0.0.1");
  EXPECT_EQ(url_problem("http://127.0.0.1:9/", AddressPolicy::from_strings({"127.0.0.0/8"})),
            std::nullopt);
}

TEST(UrlProblem, RefusesIpv6LoopbackAndLocalhost) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("http://[::1]/", policy), "host ::1 resolves to blocked address ::1");
  auto localhost = url_problem("http://localhost/", policy);
  ASSERT_TRUE(localhost);
  EXPECT_NE(localhost->find("blocked address"), std::string::npos) << *localhost;
}

TEST(UrlProblem, RefusesObfuscatedLoopbackAndMetadataHosts) {
  const AddressPolicy policy;
  EXPECT_TRUE(url_problem("http://0x7f.1/", policy));
  EXPECT_TRUE(url_problem("http://2130706433/", policy));
  EXPECT_TRUE(url_problem("http://169.254.169.254/latest/meta-data/", policy));
  EXPECT_TRUE(url_problem("http://[::ffff:127.0.0.1]/", policy));
}

TEST(UrlProblem, AcceptsPublicLiteralTargets) {
  const AddressPolicy policy;
  EXPECT_EQ(url_problem("https://8.8.8.8/hook?x=1", policy), std::nullopt);
  EXPECT_EQ(url_problem("http://[2001:4860::8888]:8080/hook", policy), std::nullopt);
}

}  // namespace
}  // namespace irisx::net
