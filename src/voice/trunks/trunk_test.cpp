#include "voice/trunks/trunk.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace irisx::voice::trunks {
namespace {

using std::chrono::milliseconds;

// The message of the error parse_trunks throws, or "" when it does not.
std::string error_of(const std::string& toml) {
  try {
    parse_trunks(toml, "trunks.toml");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(TrunksFile, ReadsEveryField) {
  const auto trunks = parse_trunks(R"(
[[trunk]]
name = "carrier-a"
host = "sip.carrier.example"
port = 5080
transport = "tcp"
username = "acct"
password = "secret"
from_user = "acct"
from_domain = "carrier.example"
caller_id = "+15550001234"
default_caller_id = "+15550000000"
strip_plus = true
prefix = "00"
inbound_networks = ["203.0.113.0/24", "2001:db8::/32"]
setup_timeout_ms = 3000
)",
                                   "trunks.toml");
  ASSERT_EQ(trunks.size(), 1u);
  const Trunk& t = trunks[0];
  EXPECT_EQ(t.name, "carrier-a");
  EXPECT_EQ(t.host, "sip.carrier.example");
  EXPECT_EQ(t.port, 5080);
  EXPECT_EQ(t.transport, "tcp");
  EXPECT_EQ(t.username, "acct");
  EXPECT_EQ(t.password, "secret");
  EXPECT_EQ(t.from_user, "acct");
  EXPECT_EQ(t.from_domain, "carrier.example");
  EXPECT_EQ(t.caller_id, "+15550001234");
  EXPECT_EQ(t.default_caller_id, "+15550000000");
  EXPECT_TRUE(t.strip_plus);
  EXPECT_EQ(t.prefix, "00");
  EXPECT_EQ(t.inbound_networks, (std::vector<std::string>{"203.0.113.0/24", "2001:db8::/32"}));
  EXPECT_EQ(t.setup_timeout, milliseconds(3000));
}

TEST(TrunksFile, DefaultsForOmittedFields) {
  const auto trunks = parse_trunks("[[trunk]]\nname = \"a\"\nhost = \"203.0.113.10\"\n", "f");
  ASSERT_EQ(trunks.size(), 1u);
  EXPECT_EQ(trunks[0].port, 5060);
  EXPECT_EQ(trunks[0].transport, "udp");
  EXPECT_FALSE(trunks[0].strip_plus);
  EXPECT_TRUE(trunks[0].username.empty());
  EXPECT_TRUE(trunks[0].caller_id.empty());
  EXPECT_EQ(trunks[0].setup_timeout, milliseconds(5000));
}

TEST(TrunksFile, KeepsFileOrder) {
  const auto trunks = parse_trunks(R"(
[[trunk]]
name = "zeta"
host = "192.0.2.1"
[[trunk]]
name = "alpha"
host = "192.0.2.2"
[[trunk]]
name = "mid"
host = "192.0.2.3"
)",
                                   "f");
  ASSERT_EQ(trunks.size(), 3u);
  EXPECT_EQ(trunks[0].name, "zeta");
  EXPECT_EQ(trunks[1].name, "alpha");
  EXPECT_EQ(trunks[2].name, "mid");
}

TEST(TrunksFile, EmptyFileHasNoTrunks) {
  EXPECT_TRUE(parse_trunks("", "f").empty());
  EXPECT_TRUE(parse_trunks("# no carriers yet\n", "f").empty());
}

TEST(TrunksFile, InboundNetworksDefaultToAnIpHostOnly) {
  const auto trunks = parse_trunks(R"(
[[trunk]]
name = "v4"
host = "203.0.113.10"
[[trunk]]
name = "v6"
host = "2001:db8::10"
[[trunk]]
name = "dns"
host = "sip.carrier.example"
[[trunk]]
name = "none"
host = "198.51.100.7"
inbound_networks = []
)",
                                   "f");
  ASSERT_EQ(trunks.size(), 4u);
  EXPECT_EQ(trunks[0].inbound_networks, std::vector<std::string>{"203.0.113.10/32"});
  EXPECT_EQ(trunks[1].inbound_networks, std::vector<std::string>{"2001:db8::10/128"});
  EXPECT_TRUE(trunks[2].inbound_networks.empty());
  EXPECT_TRUE(trunks[3].inbound_networks.empty()) << "an explicit [] is kept, not defaulted";
}

TEST(TrunksFile, UnknownKeyNamesTheFileTrunkAndKey) {
  const auto e = error_of("[[trunk]]\nname = \"carrier-a\"\nhost = \"192.0.2.1\"\nhots = \"x\"\n");
  EXPECT_NE(e.find("trunks.toml"), std::string::npos) << e;
  EXPECT_NE(e.find("trunk 'carrier-a'"), std::string::npos) << e;
  EXPECT_NE(e.find("'hots'"), std::string::npos) << e;
}

TEST(TrunksFile, UnknownTopLevelKeyIsRefused) {
  const auto e = error_of("trunks = []\n");
  EXPECT_NE(e.find("trunks.toml"), std::string::npos) << e;
  EXPECT_NE(e.find("'trunks'"), std::string::npos) << e;
}

TEST(TrunksFile, SingleTableInsteadOfArrayIsRefused) {
  const auto e = error_of("[trunk]\nname = \"a\"\nhost = \"192.0.2.1\"\n");
  EXPECT_NE(e.find("[[trunk]]"), std::string::npos) << e;
}

TEST(TrunksFile, WrongTypeNamesFieldAndType) {
  const auto e = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nport = \"5060\"\n");
  EXPECT_NE(e.find("trunk 'a'"), std::string::npos) << e;
  EXPECT_NE(e.find("port must be an integer, got string"), std::string::npos) << e;

  const auto b = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nstrip_plus = 1\n");
  EXPECT_NE(b.find("strip_plus must be true or false"), std::string::npos) << b;
}

TEST(TrunksFile, MissingNameIsNamedByPosition) {
  const auto e =
      error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\n[[trunk]]\nhost = \"x.example\"\n");
  EXPECT_NE(e.find("trunk #2: name is required"), std::string::npos) << e;
}

TEST(TrunksFile, NameMustBeLowerCaseSlug) {
  for (const char* name : {"Carrier", "carrier a", "", "carrier.a"}) {
    const auto e =
        error_of(std::string("[[trunk]]\nname = \"") + name + "\"\nhost = \"192.0.2.1\"\n");
    EXPECT_NE(e.find("trunk #1: name must be lower-case"), std::string::npos) << name << ": " << e;
  }
  EXPECT_EQ(error_of("[[trunk]]\nname = \"a_b-9\"\nhost = \"192.0.2.1\"\n"), "");
}

TEST(TrunksFile, MissingHostIsRefused) {
  const auto e = error_of("[[trunk]]\nname = \"a\"\n");
  EXPECT_NE(e.find("trunk 'a': host is required"), std::string::npos) << e;
}

TEST(TrunksFile, MalformedHostIsRefused) {
  for (const char* host : {"203.0.113", "10.0.0.256", "[2001:db8::1]", "sip.example;x=y",
                           "user@sip.example", "-bad.example", "host:5060"}) {
    const auto e = error_of(std::string("[[trunk]]\nname = \"a\"\nhost = \"") + host + "\"\n");
    EXPECT_NE(e.find("trunk 'a': host must be an IP address"), std::string::npos)
        << host << ": " << e;
  }
}

TEST(TrunksFile, BadTransportIsRefused) {
  const auto e = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ntransport = \"tls\"\n");
  EXPECT_NE(e.find("trunk 'a': transport must be \"udp\" or \"tcp\""), std::string::npos) << e;
}

TEST(TrunksFile, PortOutOfRangeIsRefused) {
  for (const char* port : {"0", "65536", "-1"}) {
    const auto e =
        error_of(std::string("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nport = ") + port);
    EXPECT_NE(e.find("trunk 'a': port must be from 1 to 65535"), std::string::npos)
        << port << ": " << e;
  }
  EXPECT_EQ(
      parse_trunks("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nport = 65535", "f")[0].port,
      65535);
}

TEST(TrunksFile, UsernameWithoutPasswordIsRefused) {
  const auto e = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nusername = \"u\"\n");
  EXPECT_NE(e.find("trunk 'a': username is set without password"), std::string::npos) << e;
  const auto p = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\npassword = \"p\"\n");
  EXPECT_NE(p.find("trunk 'a': password is set without username"), std::string::npos) << p;
}

TEST(TrunksFile, InboundDigestCredentialsAreReadAsAPair) {
  const auto trunks = parse_trunks(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_username = \"carrier-a\"\n"
      "inbound_password = \"long-enough-secret\"\n",
      "trunks.toml");
  ASSERT_EQ(trunks.size(), 1u);
  EXPECT_EQ(trunks[0].inbound_username, "carrier-a");
  EXPECT_EQ(trunks[0].inbound_password, "long-enough-secret");
  const auto e =
      error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_username = \"u\"\n");
  EXPECT_NE(e.find("trunk 'a': inbound_username is set without inbound_password"),
            std::string::npos)
      << e;
  const auto p = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_password = \"long-enough-secret\"\n");
  EXPECT_NE(p.find("trunk 'a': inbound_password is set without inbound_username"),
            std::string::npos)
      << p;
}

TEST(TrunksFile, ShortInboundPasswordIsRefused) {
  const auto e = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_username = \"u\"\n"
      "inbound_password = \"short\"\n");
  EXPECT_NE(e.find("trunk 'a': inbound_password must be at least 12 characters"), std::string::npos)
      << e;
}

TEST(TrunksFile, InboundUsernameMustBeUniqueAndSafe) {
  const auto e = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_username = \"u\"\n"
      "inbound_password = \"long-enough-secret\"\n"
      "[[trunk]]\nname = \"b\"\nhost = \"192.0.2.2\"\ninbound_username = \"u\"\n"
      "inbound_password = \"another-long-secret\"\n");
  EXPECT_NE(e.find("trunk 'b': inbound_username is already used by trunk 'a'"), std::string::npos)
      << e;
  const auto q = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_username = \"u\\\"x\"\n"
      "inbound_password = \"long-enough-secret\"\n");
  EXPECT_NE(q.find("trunk 'a': inbound_username may hold"), std::string::npos) << q;
}

TEST(TrunksFile, DuplicateNameIsRefused) {
  const auto e = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\n[[trunk]]\nname = \"a\"\nhost = "
      "\"192.0.2.2\"\n");
  EXPECT_NE(e.find("trunk 'a': name is already used by trunk #1"), std::string::npos) << e;
}

TEST(TrunksFile, BadCidrIsRefused) {
  for (const char* cidr : {"203.0.113.0/33", "not-a-network", "2001:db8::/129", "10.0.0.0/"}) {
    const auto e = error_of(std::string("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\n") +
                            "inbound_networks = [\"" + cidr + "\"]\n");
    EXPECT_NE(e.find("trunk 'a': inbound_networks has \"" + std::string(cidr) +
                     "\", which is not a CIDR"),
              std::string::npos)
        << cidr << ": " << e;
  }
}

// "203.0.113.10/8" would otherwise silently trust all of 203/8 as the carrier.
TEST(TrunksFile, CidrWithHostBitsIsRefusedNotWidened) {
  const auto e = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ninbound_networks = [\"203.0.113.10/8\"]\n");
  EXPECT_NE(e.find("host bits set"), std::string::npos) << e;
  EXPECT_NE(e.find("203.0.0.0/8"), std::string::npos) << e;
}

TEST(TrunksFile, CallerIdsMustBeNumbers) {
  const auto e =
      error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ndefault_caller_id = \"+1 555\"\n");
  EXPECT_NE(e.find("trunk 'a': default_caller_id must be"), std::string::npos) << e;
  const auto c = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\ncaller_id = \"anon\"\n");
  EXPECT_NE(c.find("trunk 'a': caller_id must be"), std::string::npos) << c;
}

TEST(TrunksFile, PrefixAndFromUserMustBeSafeInAUri) {
  const auto p = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nprefix = \"9#\"\n");
  EXPECT_NE(p.find("trunk 'a': prefix must be digits only"), std::string::npos) << p;
  const auto f = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nfrom_user = \"a@b\"\n");
  EXPECT_NE(f.find("trunk 'a': from_user may hold"), std::string::npos) << f;
}

TEST(TrunksFile, ControlCharactersAreRefused) {
  const auto e = error_of(
      "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nusername = \"u\\r\\nX: y\"\npassword = "
      "\"p\"\n");
  EXPECT_NE(e.find("trunk 'a': username must not contain control characters"), std::string::npos)
      << e;
}

TEST(TrunksFile, SetupTimeoutOutsideBoundsIsRefused) {
  // 5 is seconds written where milliseconds belong.
  const auto e = error_of("[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\nsetup_timeout_ms = 5\n");
  EXPECT_NE(e.find("trunk 'a': setup_timeout_ms must be from 100 to 120000"), std::string::npos)
      << e;
}

TEST(TrunksFile, InvalidTomlNamesTheFile) {
  const auto e = error_of("[[trunk]\nname = \n");
  EXPECT_NE(e.find("trunks.toml: not valid TOML"), std::string::npos) << e;
}

TEST(TrunksFile, LoadReadsTheFileAndNamesItInErrors) {
  const auto dir =
      std::filesystem::path(testing::TempDir()) / ("irisx-trunks-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "trunks.toml").string();
  {
    std::ofstream out(path);
    out << "[[trunk]]\nname = \"a\"\nhost = \"192.0.2.1\"\n";
  }
  const auto trunks = load_trunks(path);
  ASSERT_EQ(trunks.size(), 1u);
  EXPECT_EQ(trunks[0].name, "a");
  {
    std::ofstream out(path);
    out << "[[trunk]]\nname = \"a\"\n";
  }
  try {
    load_trunks(path);
    ADD_FAILURE() << "a trunk without host was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": trunk 'a': host is required"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);

  try {
    load_trunks(path);
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace irisx::voice::trunks
