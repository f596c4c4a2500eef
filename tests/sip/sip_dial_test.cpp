// Calls the engine places: a DID from a trunk routed to a tenant's number, then out through
// carrier trunks (digest, failover) or to an extension's registered phones (fork), bridged
// with media both ways. SIPp plays the caller, the carriers and the phones.
#include "sip/dial_fixture.hpp"
#include "sip/rtp_sink.hpp"

namespace irisx::testing {
namespace {

TEST_F(SipDial, TrunkCallFailsOverPastADeadAndARefusingCarrierAndAnswersTheDigestChallenge) {
  RtpSink sink;
  SilentPeer dead;
  const int refusing = free_udp_port();
  const int carrier = free_udp_port();
  start_with({{"dead", dead.port, "setup_timeout_ms = 1000"},
              {"refusing", refusing, ""},
              {"carrier", carrier,
               "username = \"irisx-trunk\"\npassword = \"trunk-secret-42\"\n"
               "default_caller_id = \"+15550000001\""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer refusing_carrier(uas_run("uas-unavailable.xml", refusing));
  SippRun digest = uas_run("uas-carrier-digest.xml", carrier);
  digest.keys["rtpport"] = std::to_string(sink.port());
  Peer digest_carrier(digest);

  SippRun run = caller("uac-echo-caller-hangs-up.xml");  // offers PCMA, plays g711a.pcap
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult carrier_side = digest_carrier.wait();
  EXPECT_EQ(carrier_side.exit_code, 0) << carrier_side.describe();
  EXPECT_EQ(refusing_carrier.wait().exit_code, 0);

  // The carrier answered PCMU: all 236 PCMA packets of the caller reach it transcoded.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) {
    ASSERT_EQ(p.payload_type, 0);
    ASSERT_GE(p.payload_size, 160u) << "relayed with the caller's packetization (20 or 30 ms)";
  }
  const auto rows = records(4);
  ASSERT_EQ(rows.size(), 4u);
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_EQ(in.trunk, "caller");
  EXPECT_EQ(in.tenant_id, tenant_.tenant_id);
  EXPECT_EQ(in.codec, "PCMA");
  EXPECT_EQ(in.packets_received, 236);
  const CallRecordRow& dead_leg = leg(rows, "outbound", "dead");
  EXPECT_EQ(dead_leg.hangup_cause, "recovery_on_timer_expire");
  EXPECT_FALSE(dead_leg.answered);
  const CallRecordRow& refused = leg(rows, "outbound", "refusing");
  EXPECT_EQ(refused.sip_status, 503);
  EXPECT_EQ(refused.hangup_cause, "normal_temporary_failure");
  const CallRecordRow& out = leg(rows, "outbound", "carrier");
  EXPECT_EQ(out.parent_call_id, in.id);
  EXPECT_EQ(out.tenant_id, tenant_.tenant_id);
  EXPECT_TRUE(out.answered);
  EXPECT_EQ(out.codec, "PCMU");
  EXPECT_EQ(out.packets_sent, 236);
  EXPECT_EQ(out.hangup_cause, "normal_clearing");
  EXPECT_EQ(in.hangup_cause, "normal_clearing");
  // The caller ID the carrier saw: the caller's From user is not E.164, so the trunk's default.
  EXPECT_NE(carrier_side.messages.find("<sip:+15550000001@127.0.0.1>;tag="), std::string::npos)
      << carrier_side.messages;
}

TEST_F(SipDial, BusyCarrierIsPassedBackAs486WithoutFailover) {
  const int busy = free_udp_port();
  const int spare = free_udp_port();
  start_with({{"busy", busy, ""}, {"spare", spare, ""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer busy_carrier(uas_run("uas-busy.xml", busy));
  SippRun run = caller("uac-busy.xml");
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u) << "busy is final: the spare trunk is not tried";
  EXPECT_EQ(leg(rows, "outbound").trunk, "busy");
  EXPECT_EQ(leg(rows, "outbound").hangup_cause, "user_busy");
  EXPECT_EQ(leg(rows, "inbound").sip_status, 486);
}

TEST_F(SipDial, ExtensionRingsEveryRegisteredPhoneAndTheFirstToAnswerIsBridged) {
  RtpSink sink;
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  set_sip_password(*irisx_, tenant_.access_token, "1001", "irisx-test-secret", kRealm);
  const int phone_a = free_udp_port();
  const int phone_b = free_udp_port();
  const SippResult registered =
      sipp(register_contacts_run("1001", kRealm, "irisx-test-secret", phone_a, phone_b));
  ASSERT_EQ(registered.exit_code, 0) << registered.describe();

  Peer answering(uas_run("uas-answer-play.xml", phone_a));
  Peer ringing(uas_run("uas-ring-until-cancel.xml", phone_b));
  SippRun run = caller("uac-call-listen.xml");  // offers PCMU, media to the sink
  run.keys["rtpport"] = std::to_string(sink.port());
  run.pause_ms = 8000;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult a = answering.wait();
  EXPECT_EQ(a.exit_code, 0) << a.describe();
  const SippResult b = ringing.wait();
  EXPECT_EQ(b.exit_code, 0) << b.describe();

  // The phone sent 236 PCMA packets; the caller hears all of them as PCMU.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0);
  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  const CallRecordRow& in = leg(rows, "inbound");
  int answered = 0;
  int lost = 0;
  for (const auto& row : rows) {
    if (row.direction != "outbound") continue;
    EXPECT_EQ(row.extension, "1001");
    EXPECT_EQ(row.parent_call_id, in.id);
    if (row.answered) {
      ++answered;
      EXPECT_EQ(row.codec, "PCMA");
      EXPECT_EQ(row.packets_received, 236);
    } else {
      ++lost;
      EXPECT_EQ(row.hangup_cause, "lose_race");
    }
  }
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(in.codec, "PCMU");
  EXPECT_EQ(in.packets_sent, 236);
}

TEST_F(SipDial, ExtensionWithNothingRegisteredIsTemporarilyUnavailable) {
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  const SippResult result = sipp(caller("uac-unavailable.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
}

// Not a trunk by address, so it has to prove who it is (sip_invite_auth_test.cpp has the rest).
TEST_F(SipDial, InviteFromAnAddressNoTrunkAllowsIsChallengedAndLeavesNoRecord) {
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}});
  SippRun run = caller("uac-challenged.xml");
  run.local_ip = "127.0.0.2";
  run.keys["caller"] = "sipp";
  run.keys["domain"] = "127.0.0.2";
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  // A call from the trunk to a number nobody has leaves a record: the first and only one.
  SippRun unknown = caller("uac-unknown-number.xml");
  unknown.service = "+15559999";
  const SippResult refused = sipp(unknown);
  ASSERT_EQ(refused.exit_code, 0) << refused.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sip_status, 404) << "the challenged INVITE wrote a record";
}

TEST_F(SipDial, DidRoutesToTheNumbersDiagnosticApplication) {
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}});
  SippRun run = caller("uac-echo-caller-hangs-up.xml");
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].tenant_id, tenant_.tenant_id);
  // The echo ran (its media exactness is EchoSendsTheCallersAudioBack…'s job).
  EXPECT_GT(rows[0].packets_received, 200);
  EXPECT_EQ(rows[0].packets_sent, rows[0].packets_received);
}

TEST_F(SipDial, CarrierEarlyMediaReachesTheUnansweredCallerBeforeItsRefusal) {
  RtpSink sink;
  const int carrier = free_udp_port();
  start_with({{"carrier", carrier, ""}}, {{"type", "dial"}, {"number", "+15559876543"}});
  Peer announcing(uas_run("uas-early-media-busy.xml", carrier));
  SippRun run = caller("uac-early-media-busy.xml");  // needs our 183, then the 486
  run.keys["rtpport"] = std::to_string(sink.port());
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult carrier_side = announcing.wait();
  EXPECT_EQ(carrier_side.exit_code, 0) << carrier_side.describe();

  // Never answered, yet the caller heard the whole announcement: 236 PCMA packets as PCMU.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0);
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u);
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_FALSE(in.answered);
  EXPECT_EQ(in.sip_status, 486);
  EXPECT_EQ(in.billable_s, 0);
  EXPECT_EQ(in.packets_sent, 236);
  EXPECT_EQ(leg(rows, "outbound", "carrier").hangup_cause, "user_busy");
}

TEST_F(SipDial, EveryTrunkFailingGivesTheCallerBadGateway) {
  const int first_port = free_udp_port();
  const int second_port = free_udp_port();
  start_with({{"first", first_port, ""}, {"second", second_port, ""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer first(uas_run("uas-unavailable.xml", first_port));
  Peer second(uas_run("uas-unavailable.xml", second_port));
  const SippResult result = sipp(caller("uac-bad-gateway.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(first.wait().exit_code, 0);
  EXPECT_EQ(second.wait().exit_code, 0);
  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(leg(rows, "inbound").sip_status, 502);
  for (const char* trunk : {"first", "second"}) {
    EXPECT_EQ(leg(rows, "outbound", trunk).sip_status, 503) << trunk;
    EXPECT_EQ(leg(rows, "outbound", trunk).hangup_cause, "normal_temporary_failure") << trunk;
  }
}

TEST_F(SipDial, PhoneBehindNatIsCalledWhereItsRegisterCameFrom) {
  RtpSink sink;
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  // The phone's Contact names its private address (nothing answers there); its REGISTER came
  // from the port it listens on, as through a NAT's mapping.
  const int mapped = free_udp_port();
  register_phone("1001", 5060, "192.168.77.1", mapped);
  Peer phone(uas_run("uas-answer-play.xml", mapped));
  SippRun run = caller("uac-call-listen.xml");
  run.keys["rtpport"] = std::to_string(sink.port());
  run.pause_ms = 8000;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult answered = phone.wait();
  EXPECT_EQ(answered.exit_code, 0) << answered.describe();
  // The Request-URI is still the Contact; only the next hop changed.
  EXPECT_NE(answered.messages.find("INVITE sip:1001@192.168.77.1:5060"), std::string::npos);
  EXPECT_EQ(sink.packets().size(), 236u);
}

TEST_F(SipDial, TrunkThatOnlySaidTryingBeforeItsSetupTimerGetsACancel) {
  const int slow_port = free_udp_port();
  const int carrier_port = free_udp_port();
  start_with({{"slow", slow_port, "setup_timeout_ms = 1000"}, {"carrier", carrier_port, ""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer slow(uas_run("uas-trying-until-cancel.xml", slow_port));
  Peer carrier(uas_run("uas-answer-play.xml", carrier_port));
  SippRun run = caller("uac-call-listen.xml");
  RtpSink sink;
  run.keys["rtpport"] = std::to_string(sink.port());
  run.pause_ms = 8000;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  // The slow carrier got a CANCEL: no INVITE left pending there.
  const SippResult slow_side = slow.wait();
  EXPECT_EQ(slow_side.exit_code, 0) << slow_side.describe();
  EXPECT_EQ(carrier.wait().exit_code, 0);
  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(leg(rows, "outbound", "slow").hangup_cause, "recovery_on_timer_expire");
  EXPECT_TRUE(leg(rows, "outbound", "carrier").answered);
}

TEST_F(SipDial, BridgedCallCarriesBothPartiesAudioAtOnce) {
  const int carrier_port = free_udp_port();
  start_with({{"carrier", carrier_port, ""}}, {{"type", "dial"}, {"number", "+15559876543"}});
  Peer carrier(uas_run("uas-answer-play.xml", carrier_port));  // plays g711a.pcap on answer
  const SippResult result = sipp(caller("uac-echo-caller-hangs-up.xml"));  // plays it too
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(carrier.wait().exit_code, 0);
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u);
  // Each side's 236 packets came in on its own leg and went out on the other.
  for (const char* direction : {"inbound", "outbound"}) {
    EXPECT_EQ(leg(rows, direction).packets_received, 236) << direction;
    EXPECT_EQ(leg(rows, direction).packets_sent, 236) << direction;
  }
}

}  // namespace
}  // namespace irisx::testing
