// SIP call flows driven from a table: {scenario, number, transport} → SIPp's verdict and the
// call record the engine left. One scenario file per flow under tests/sip/scenarios.
#include <gtest/gtest.h>

#include "sip/voice_fixture.hpp"

namespace irisx::testing {
namespace {

struct Flow {
  const char* name;
  const char* scenario;
  const char* number;
  const char* transport;  // u1 | t1
  int pause_ms;
  // The call record expected afterwards; no cause means no call (OPTIONS).
  const char* cause;
  int sip_status;
  bool answered = false;
  const char* codec = "";  // checked when set
};

const Flow kFlows[] = {
    {"OptionsOverUdpGets200", "uac-options.xml", "probe", "u1", 0, nullptr, 0},
    {"OptionsOverTcpGets200", "uac-options.xml", "probe", "t1", 0, nullptr, 0},
    {"ReferOutsideACallIsNotAllowed", "uac-refer-out-of-dialog.xml", "echo", "u1", 0, nullptr, 0},
    {"UnknownNumberGets404", "uac-unknown-number.xml", "nobody", "u1", 0, "rejected", 404},
    {"UnknownNumberOverTcpGets404", "uac-unknown-number.xml", "nobody", "t1", 0, "rejected", 404},
    {"NoCommonCodecGets488", "uac-no-common-codec.xml", "echo", "u1", 0, "rejected", 488},
    {"CancelBeforeAnswerGets487", "uac-cancel-before-answer.xml", "ring", "u1", 300,
     "originator_cancel", 487},
    {"CancelBeforeAnswerOverTcpGets487", "uac-cancel-before-answer.xml", "ring", "t1", 300,
     "originator_cancel", 487},
    {"HoldAndUnholdByReinvite", "uac-reinvite-hold-unhold.xml", "echo", "u1", 0, "normal_clearing",
     200, true},
    {"HoldAndUnholdByReinviteOverTcp", "uac-reinvite-hold-unhold.xml", "echo", "t1", 0,
     "normal_clearing", 200, true},
    {"SessionTimerWithTheCallerRefreshing", "uac-session-timer.xml", "echo", "u1", 0,
     "normal_clearing", 200, true},
    {"OfferlessInviteGetsOurOfferAndTheAnswerInTheAck", "uac-offerless-invite.xml", "echo", "u1", 0,
     "normal_clearing", 200, true, "PCMA"},
};

// Names the case in test listings instead of dumping the struct's bytes.
void PrintTo(const Flow& flow, std::ostream* out) {
  *out << flow.name;
}

class SipFlow : public VoiceEngineTest, public ::testing::WithParamInterface<Flow> {};

TEST_P(SipFlow, EndsAsExpected) {
  const Flow& flow = GetParam();
  SippRun run;
  run.scenario = flow.scenario;
  run.service = flow.number;
  run.transport = flow.transport;
  run.pause_ms = flow.pause_ms;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  if (flow.cause == nullptr) return;
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hangup_cause, flow.cause);
  EXPECT_EQ(rows[0].sip_status, flow.sip_status);
  EXPECT_EQ(rows[0].transport, std::string(flow.transport) == "t1" ? "tcp" : "udp");
  EXPECT_EQ(rows[0].answered, flow.answered);
  if (*flow.codec != '\0') {
    EXPECT_EQ(rows[0].codec, flow.codec);
  }
  if (!flow.answered) {
    EXPECT_EQ(rows[0].billable_s, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, SipFlow, ::testing::ValuesIn(kFlows),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace irisx::testing
