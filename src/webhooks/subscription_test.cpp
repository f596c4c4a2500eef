#include "webhooks/subscription.hpp"

#include <gtest/gtest.h>

namespace irisx::webhooks {
namespace {

TEST(PatternMatches, ExactTypesMatchOnlyThemselves) {
  EXPECT_TRUE(pattern_matches("message.delivered", "message.delivered"));
  EXPECT_FALSE(pattern_matches("message.delivered", "message.failed"));
}

TEST(PatternMatches, ResourceWildcardsMatchThatResourceOnly) {
  EXPECT_TRUE(pattern_matches("message.*", "message.delivered"));
  EXPECT_TRUE(pattern_matches("call.*", "call.recording.completed"));
  EXPECT_TRUE(pattern_matches("call.recording.*", "call.recording.completed"));
  EXPECT_FALSE(pattern_matches("message.*", "messages.x"));
  EXPECT_FALSE(pattern_matches("message.*", "email.sent"));
  EXPECT_FALSE(pattern_matches("call.recording.*", "call.answered"));
}

TEST(PatternMatches, StarMatchesEverything) {
  EXPECT_TRUE(pattern_matches("*", "api_key.created"));
  EXPECT_TRUE(subscribed({"user.*", "*"}, "webhook.test"));
  EXPECT_FALSE(subscribed({"user.*", "api_key.created"}, "api_key.revoked"));
  EXPECT_FALSE(subscribed({}, "api_key.revoked"));
}

TEST(IsEventPattern, AcceptsTypesWildcardsAndStar) {
  for (const char* ok : {"*", "message.*", "call.recording.*", "api_key.created"}) {
    EXPECT_TRUE(is_event_pattern(ok)) << ok;
  }
  for (const char* bad : {"", "message", "*.sent", "message.**", "Message.*", ".*", "a b.*"}) {
    EXPECT_FALSE(is_event_pattern(bad)) << bad;
  }
}

}  // namespace
}  // namespace irisx::webhooks
