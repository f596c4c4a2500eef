#include "voice/calls/call_status.hpp"

#include <gtest/gtest.h>

namespace irisx::voice {
namespace {

CallRecord ended(int sip_status, std::string cause) {
  CallRecord r;
  r.id = "CA0123";
  r.direction = "inbound";
  r.started_at = 1795526557000;
  r.ended_at = 1795526559500;
  r.sip_status = sip_status;
  r.hangup_cause = std::move(cause);
  return r;
}

TEST(CallStatus, AnAnsweredLegIsCompletedWhateverEndedIt) {
  CallRecord r = ended(200, "normal_clearing");
  r.answered_at = 1795526558000;
  EXPECT_EQ(call_status(r), "completed");
}

TEST(CallStatus, AnUnansweredLegSaysWhyInTwiliosWords) {
  EXPECT_EQ(call_status(ended(487, "originator_cancel")), "canceled");
  EXPECT_EQ(call_status(ended(486, "user_busy")), "busy");
  EXPECT_EQ(call_status(ended(480, "no_answer")), "no-answer");
  EXPECT_EQ(call_status(ended(503, "normal_temporary_failure")), "failed");
  EXPECT_EQ(call_status(ended(404, "rejected")), "failed");
}

TEST(CallStatus, CompletedDataCarriesTimesDurationAndTheNumber) {
  CallRecord r = ended(200, "normal_clearing");
  r.answered_at = 1795526558000;
  r.number = "+15551234567";
  r.from = "sip:+15550001111@carrier";
  const nlohmann::json data = call_completed_data(r);
  EXPECT_EQ(data["call_id"], "CA0123");
  EXPECT_EQ(data["status"], "completed");
  EXPECT_EQ(data["duration_ms"], 2500);
  EXPECT_EQ(data["billable_s"], 2);
  EXPECT_EQ(data["number"], "+15551234567");
  EXPECT_EQ(data["from"], "sip:+15550001111@carrier");
  EXPECT_TRUE(data["answered_at"].is_string());
  EXPECT_TRUE(data["started_at"].is_string());
}

TEST(CallStatus, AnUnansweredLegHasNoAnswerTime) {
  EXPECT_TRUE(call_completed_data(ended(486, "user_busy"))["answered_at"].is_null());
}

}  // namespace
}  // namespace irisx::voice
