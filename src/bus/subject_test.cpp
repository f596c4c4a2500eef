#include <gtest/gtest.h>

#include "bus/bus.hpp"

namespace irisx::bus {
namespace {

TEST(SubjectMatches, LiteralSubjectsMatchOnlyThemselves) {
  EXPECT_TRUE(subject_matches("events.calls.call_answered", "events.calls.call_answered"));
  EXPECT_FALSE(subject_matches("events.calls.call_answered", "events.calls.call_ringing"));
  EXPECT_FALSE(subject_matches("events.calls", "events.calls.x"));
  EXPECT_FALSE(subject_matches("events.calls.x", "events.calls"));
}

TEST(SubjectMatches, StarMatchesExactlyOneToken) {
  EXPECT_TRUE(subject_matches("events.webhooks.*", "events.webhooks.user_created"));
  EXPECT_FALSE(subject_matches("events.webhooks.*", "events.webhooks"));
  EXPECT_FALSE(subject_matches("events.webhooks.*", "events.webhooks.a.b"));
  EXPECT_TRUE(subject_matches("*.sms.*", "events.sms.message_sent"));
  EXPECT_FALSE(subject_matches("events.*", "events."));
}

TEST(SubjectMatches, GreaterThanMatchesTheRest) {
  EXPECT_TRUE(subject_matches("events.>", "events.calls.call_answered"));
  EXPECT_TRUE(subject_matches("events.>", "events.x"));
  EXPECT_FALSE(subject_matches("events.>", "events"));
  EXPECT_FALSE(subject_matches("events.>.x", "events.a.x"));
}

}  // namespace
}  // namespace irisx::bus
