#include "voice/trunks/plan.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::trunks {
namespace {

Trunk trunk(std::string name, std::string host) {
  Trunk t;
  t.name = std::move(name);
  t.host = std::move(host);
  return t;
}

std::vector<std::string> names(const std::vector<OutboundTarget>& plan) {
  std::vector<std::string> out;
  for (const auto& target : plan) out.push_back(target.trunk);
  return out;
}

TEST(OutboundPlan, FailoverOrderIsFileOrder) {
  const std::vector<Trunk> trunks = {trunk("b", "192.0.2.2"), trunk("a", "192.0.2.1"),
                                     trunk("c", "192.0.2.3")};
  const auto plan = plan_outbound(trunks, "+15551234567", "+15550001111");
  EXPECT_EQ(names(plan), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(OutboundPlan, UdpTrunkTargetsCarryEveryField) {
  Trunk t = trunk("carrier-a", "203.0.113.10");
  t.port = 5080;
  t.username = "acct";
  t.password = "secret";
  t.setup_timeout = std::chrono::milliseconds(2500);
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].trunk, "carrier-a");
  EXPECT_EQ(plan[0].request_uri, "sip:+15551234567@203.0.113.10:5080");
  EXPECT_EQ(plan[0].to_uri, "sip:+15551234567@203.0.113.10:5080");
  EXPECT_EQ(plan[0].from_uri, "sip:+15550001111@203.0.113.10");
  EXPECT_EQ(plan[0].from_display, "+15550001111");
  EXPECT_EQ(plan[0].username, "acct");
  EXPECT_EQ(plan[0].password, "secret");
  EXPECT_EQ(plan[0].setup_timeout, std::chrono::milliseconds(2500));
}

TEST(OutboundPlan, TcpTrunkPutsTransportInRequestUriOnly) {
  Trunk t = trunk("a", "sip.carrier.example");
  t.transport = "tcp";
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].request_uri, "sip:+15551234567@sip.carrier.example:5060;transport=tcp");
  EXPECT_EQ(plan[0].to_uri, "sip:+15551234567@sip.carrier.example:5060");
}

TEST(OutboundPlan, Ipv6HostIsBracketed) {
  Trunk t = trunk("a", "2001:db8::10");
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].request_uri, "sip:+15551234567@[2001:db8::10]:5060");
  EXPECT_EQ(plan[0].from_uri, "sip:+15550001111@[2001:db8::10]");
}

TEST(OutboundPlan, E164CallerPassesThrough) {
  Trunk t = trunk("a", "192.0.2.1");
  t.default_caller_id = "+15550000000";
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].from_display, "+15550001111");
}

TEST(OutboundPlan, FixedCallerIdOverridesTheCaller) {
  Trunk t = trunk("a", "192.0.2.1");
  t.caller_id = "+15559990000";
  t.default_caller_id = "+15550000000";
  for (const char* caller : {"+15550001111", "1001"}) {
    const auto plan = plan_outbound({t}, "+15551234567", caller);
    ASSERT_EQ(plan.size(), 1u) << caller;
    EXPECT_EQ(plan[0].from_display, "+15559990000") << caller;
    EXPECT_EQ(plan[0].from_uri, "sip:+15559990000@192.0.2.1") << caller;
  }
}

TEST(OutboundPlan, ExtensionCallerUsesDefaultCallerId) {
  Trunk t = trunk("a", "192.0.2.1");
  t.default_caller_id = "+15550000000";
  const auto plan = plan_outbound({t}, "+15551234567", "1001");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].from_display, "+15550000000");
  EXPECT_EQ(plan[0].from_uri, "sip:+15550000000@192.0.2.1");
}

TEST(OutboundPlan, TrunkWithoutCallerIdForAnExtensionIsSkipped) {
  Trunk bare = trunk("bare", "192.0.2.1");
  Trunk covered = trunk("covered", "192.0.2.2");
  covered.default_caller_id = "+15550000000";
  EXPECT_EQ(names(plan_outbound({bare, covered}, "+15551234567", "1001")),
            std::vector<std::string>{"covered"});
  EXPECT_TRUE(plan_outbound({bare}, "+15551234567", "1001").empty());
  // Too short and too long for E.164, and no '+': not passed through either.
  EXPECT_TRUE(plan_outbound({bare}, "+15551234567", "+1234567").empty());
  EXPECT_TRUE(plan_outbound({bare}, "+15551234567", "+1234567890123456").empty());
  EXPECT_TRUE(plan_outbound({bare}, "+15551234567", "15550001111").empty());
  EXPECT_EQ(plan_outbound({bare}, "+15551234567", "+12345678").size(), 1u);
}

TEST(OutboundPlan, StripPlusAppliesToNumberAndCallerId) {
  Trunk t = trunk("a", "192.0.2.1");
  t.strip_plus = true;
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].request_uri, "sip:15551234567@192.0.2.1:5060");
  EXPECT_EQ(plan[0].to_uri, "sip:15551234567@192.0.2.1:5060");
  EXPECT_EQ(plan[0].from_uri, "sip:15550001111@192.0.2.1");
  EXPECT_EQ(plan[0].from_display, "15550001111");

  t.caller_id = "+15559990000";
  EXPECT_EQ(plan_outbound({t}, "+15551234567", "1001").at(0).from_display, "15559990000");
}

TEST(OutboundPlan, PrefixGoesBeforeTheNumberAfterStripPlus) {
  Trunk t = trunk("a", "192.0.2.1");
  t.strip_plus = true;
  t.prefix = "011";
  const auto plan = plan_outbound({t}, "+445551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].request_uri, "sip:011445551234567@192.0.2.1:5060");
  EXPECT_EQ(plan[0].from_display, "15550001111") << "the prefix is for the dialled number only";
}

TEST(OutboundPlan, FromUserAndDomainOverrideCallerIdAndHost) {
  Trunk t = trunk("a", "192.0.2.1");
  t.from_user = "acct42";
  t.from_domain = "carrier.example";
  const auto plan = plan_outbound({t}, "+15551234567", "+15550001111");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].from_uri, "sip:acct42@carrier.example");
  EXPECT_EQ(plan[0].from_display, "+15550001111") << "the caller ID stays the display name";
  EXPECT_EQ(plan[0].request_uri, "sip:+15551234567@192.0.2.1:5060");
}

TEST(OutboundPlan, InvalidNumberGivesEmptyPlan) {
  const std::vector<Trunk> trunks = {trunk("a", "192.0.2.1")};
  for (const char* number : {"", "+", "12", "+12", "123456789012345678901", "+1 555 1234",
                             "1555-1234", "++15551234", "1555a", "sip:1555@x", "15551234+"}) {
    EXPECT_TRUE(plan_outbound(trunks, number, "+15550001111").empty()) << number;
  }
  for (const char* number : {"911", "+123", "12345678901234567890", "+12345678901234567890"}) {
    EXPECT_EQ(plan_outbound(trunks, number, "+15550001111").size(), 1u) << number;
  }
}

TEST(OutboundPlan, NoTrunksGivesEmptyPlan) {
  EXPECT_TRUE(plan_outbound({}, "+15551234567", "+15550001111").empty());
}

}  // namespace
}  // namespace irisx::voice::trunks
