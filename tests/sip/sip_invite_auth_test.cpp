// INVITEs from outside every trunk's inbound networks authenticate with digest (RFC 3261
// §22.3, 407 Proxy Authentication Required): a registered phone by its extension's password,
// then routed to an extension, a DID of its tenant or out through the trunks; a carrier by its
// trunk's inbound credentials, then routed by DID. SIPp plays phones and carriers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "integration/api_fixture.hpp"
#include "sip/rtp_sink.hpp"
#include "sip/voice_fixture.hpp"

namespace irisx::testing {
namespace {

constexpr const char* kDid = "+15550100";
constexpr const char* kRealm = "example.test";
constexpr const char* kPassword = "irisx-test-secret";
constexpr const char* kOutside = "+15559876543";

class SipInviteAuth : public VoiceEngineTest {
 protected:
  // No trunk lets 127.0.0.1 in by address: every INVITE here has to authenticate.
  void SetUp() override {
    carrier_port_ = free_udp_port();
    const std::string path =
        ::testing::TempDir() + "auth-trunks-" + std::to_string(::getpid()) + ".toml";
    std::ofstream(path) << "[[trunk]]\nname = \"carrier\"\nhost = \"127.0.0.1\"\nport = "
                        << carrier_port_
                        << "\ninbound_networks = []\nusername = \"irisx-trunk\"\n"
                           "password = \"trunk-secret-42\"\n"
                           "default_caller_id = \"+15550000001\"\n\n"
                           "[[trunk]]\nname = \"digest-carrier\"\nhost = \"127.0.0.1\"\n"
                           "port = 9\ninbound_networks = []\n"
                           "inbound_username = \"carrier-in\"\n"
                           "inbound_password = \"carrier-secret-42\"\n";
    start({{"IRISX_ROLES", "api,voice"}, {"IRISX_VOICE_TRUNKS_FILE", path}});
    tenant_ = signup(*irisx_);
    const auto created = irisx_->post(
        "/v1/phone_numbers",
        {{"number", kDid}, {"voice_application", {{"type", "diagnostic"}, {"name", "echo"}}}},
        tenant_.access_token);
    ASSERT_EQ(created.status, 201) << created.body;
    set_sip_password(*irisx_, tenant_.access_token, "1001", kPassword, kRealm);
    set_sip_password(*irisx_, tenant_.access_token, "1002", kPassword, kRealm);
  }

  // Extension 1001 calls `dialled` as a phone does: challenged, then with its password.
  SippRun phone_call(const std::string& dialled, const std::string& password,
                     const std::string& scenario = "uac-digest-call.xml") const {
    SippRun run;
    run.scenario = scenario;
    run.service = dialled;
    run.keys["caller"] = "1001";
    run.keys["domain"] = kRealm;
    run.auth_username = "1001";
    run.auth_password = password;
    return run;
  }

  SippRun uas_run(const std::string& scenario, int port) const {
    SippRun run;
    run.scenario = scenario;
    run.service = "callee";
    run.local_port = port;
    return run;
  }

  void register_phone(const std::string& extension, int contact_a, int contact_b) {
    const SippResult registered =
        sipp(register_contacts_run(extension, kRealm, kPassword, contact_a, contact_b));
    ASSERT_EQ(registered.exit_code, 0) << registered.describe();
  }

  int carrier_port_ = 0;
  TenantLogin tenant_;
};

TEST_F(SipInviteAuth, PhoneAnswersTheChallengeAndCallsOutThroughTheTrunkWithMedia) {
  RtpSink sink;
  SippRun digest = uas_run("uas-carrier-digest.xml", carrier_port_);
  digest.keys["rtpport"] = std::to_string(sink.port());
  Peer carrier(digest);
  register_phone("1001", free_udp_port(), free_udp_port());

  const SippResult result = sipp(phone_call(kOutside, kPassword));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult carrier_side = carrier.wait();
  EXPECT_EQ(carrier_side.exit_code, 0) << carrier_side.describe();

  // The phone's 236 PCMA packets reach the carrier as PCMU.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0);
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u) << "the challenged INVITE leaves no record";
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_EQ(in.tenant_id, tenant_.tenant_id);
  EXPECT_EQ(in.extension, "1001");
  EXPECT_EQ(in.trunk, "");
  EXPECT_EQ(in.hangup_cause, "normal_clearing");
  const CallRecordRow& out = leg(rows, "outbound", "carrier");
  EXPECT_EQ(out.parent_call_id, in.id);
  EXPECT_EQ(out.tenant_id, tenant_.tenant_id);
  EXPECT_TRUE(out.answered);
  // An extension is not E.164: the carrier sees the trunk's default caller ID.
  EXPECT_NE(carrier_side.messages.find("<sip:+15550000001@127.0.0.1>;tag="), std::string::npos)
      << carrier_side.messages;
}

TEST_F(SipInviteAuth, PhoneCallsAnotherExtensionAndItsRegisteredPhoneAnswers) {
  const int phone_a = free_udp_port();
  const int phone_b = free_udp_port();
  register_phone("1002", phone_a, phone_b);
  Peer answering(uas_run("uas-answer-play.xml", phone_a));
  Peer ringing(uas_run("uas-ring-until-cancel.xml", phone_b));

  const SippResult result = sipp(phone_call("1002", kPassword));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult a = answering.wait();
  EXPECT_EQ(a.exit_code, 0) << a.describe();
  const SippResult b = ringing.wait();
  EXPECT_EQ(b.exit_code, 0) << b.describe();

  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_EQ(in.tenant_id, tenant_.tenant_id);
  EXPECT_EQ(in.extension, "1001");
  EXPECT_EQ(in.packets_received, 236);  // media both ways: the caller's audio …
  int answered = 0;
  for (const auto& row : rows) {
    if (row.direction != "outbound") continue;
    EXPECT_EQ(row.extension, "1002");
    EXPECT_EQ(row.parent_call_id, in.id);
    if (!row.answered) continue;
    ++answered;
    EXPECT_EQ(row.packets_received, 236);  // … and the answering phone's
  }
  EXPECT_EQ(answered, 1);
}

TEST_F(SipInviteAuth, PhoneDialsADidOfItsTenantAndReachesThatNumbersApplication) {
  const SippResult result = sipp(phone_call(kDid, kPassword));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].tenant_id, tenant_.tenant_id);
  EXPECT_EQ(rows[0].extension, "1001");
  EXPECT_GT(rows[0].packets_received, 200);  // the echo ran
  EXPECT_EQ(rows[0].packets_sent, rows[0].packets_received);
}

TEST_F(SipInviteAuth, AWrongPasswordIsForbiddenAfterOneChallenge) {
  const SippResult result =
      sipp(phone_call(kOutside, "not-the-password", "uac-digest-forbidden.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sip_status, 403);
  EXPECT_EQ(rows[0].tenant_id, "") << "an unproven caller is nobody's";
}

TEST_F(SipInviteAuth, AForeignNonceIsChallengedAgainAndAnUnreadableAnswerIsForbidden) {
  const SippResult result =
      sipp(phone_call(kOutside, kPassword, "uac-bad-proxy-authorization.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  // And the engine is still up and answering.
  const SippResult again = sipp(phone_call(kDid, kPassword));
  EXPECT_EQ(again.exit_code, 0) << again.describe();
}

TEST_F(SipInviteAuth, TrunkWithInboundDigestIsAcceptedAfterTheChallengeAndRoutedByDid) {
  SippRun run;
  run.scenario = "uac-digest-call.xml";
  run.service = kDid;
  run.local_ip = "127.0.0.2";  // in no trunk's inbound networks
  run.keys["caller"] = "carrier";
  run.keys["domain"] = "127.0.0.2";
  run.auth_username = "carrier-in";
  run.auth_password = "carrier-secret-42";
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].trunk, "digest-carrier");
  EXPECT_EQ(rows[0].tenant_id, tenant_.tenant_id);
  EXPECT_EQ(rows[0].extension, "");
  EXPECT_GT(rows[0].packets_received, 200);  // the echo ran
  EXPECT_EQ(rows[0].packets_sent, rows[0].packets_received);
}

}  // namespace
}  // namespace irisx::testing
