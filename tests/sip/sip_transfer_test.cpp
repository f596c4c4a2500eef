// Blind transfer (RFC 3515): a phone bridged to a caller sends REFER, and the engine dials
// the caller to the Refer-To target. SIPp plays the caller and the phones.
#include <map>

#include "sip/dial_fixture.hpp"
#include "sip/rtp_sink.hpp"

namespace irisx::testing {
namespace {

TEST_F(SipDial, PhoneThatSendsReferHasTheCallerDialledToTheTargetExtension) {
  RtpSink sink;
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  const int phone_a = free_udp_port();
  const int phone_b = free_udp_port();
  register_phone("1001", phone_a);
  register_phone("1002", phone_b);
  SippRun transferring = uas_run("uas-answer-then-refer.xml", phone_a);
  transferring.keys["transfer_to"] = "1002";
  Peer first(std::move(transferring));
  SippRun target = uas_run("uas-answer-play.xml", phone_b);
  target.pause_ms = 1500;  // rings 1.5 s before answering
  Peer second(std::move(target));
  SippRun run = caller("uac-call-listen.xml");
  run.keys["rtpport"] = std::to_string(sink.port());
  run.pause_ms = 10000;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult a = first.wait();
  EXPECT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_EQ(transfer_report(a), "SIP/2.0 200");
  const SippResult b = second.wait();
  EXPECT_EQ(b.exit_code, 0) << b.describe();

  // Ringback while 1002 rang (1.5 s: 75 packets, the transferring phone sent nothing), then
  // all 236 of 1002's packets.
  EXPECT_GE(sink.packets().size(), 236u + 50u);
  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_TRUE(in.answered);
  std::map<std::string, CallRecordRow> callees;
  for (const auto& row : rows) {
    if (row.direction == "outbound") callees[row.extension] = row;
  }
  ASSERT_EQ(callees.size(), 2u);
  EXPECT_EQ(callees["1001"].hangup_cause, "blind_transfer");
  EXPECT_EQ(callees["1001"].parent_call_id, in.id);
  EXPECT_TRUE(callees["1002"].answered);
  EXPECT_EQ(callees["1002"].parent_call_id, in.id);
  EXPECT_EQ(callees["1002"].packets_received, 236);
  EXPECT_GE(in.packets_sent, 236);
}

TEST_F(SipDial, ReferToAnUnknownTargetIsReportedAndThePartiesTalkOn) {
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  const int phone_a = free_udp_port();
  register_phone("1001", phone_a);
  SippRun transferring = uas_run("uas-answer-then-refer.xml", phone_a);
  transferring.keys["transfer_to"] = "nobody";
  Peer first(std::move(transferring));
  RtpSink sink;
  SippRun run = caller("uac-call-listen.xml");
  run.keys["rtpport"] = std::to_string(sink.port());
  run.pause_ms = 3000;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult a = first.wait();
  EXPECT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_EQ(transfer_report(a), "SIP/2.0 404");
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u);
  // The caller hung up (BYE after 3 s), not the transfer: the phone was kept until then.
  EXPECT_EQ(leg(rows, "inbound").hangup_cause, "normal_clearing");
  EXPECT_EQ(leg(rows, "outbound").hangup_cause, "normal_clearing");
}

}  // namespace
}  // namespace irisx::testing
