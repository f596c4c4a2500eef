#include "events/events.hpp"

#include <gtest/gtest.h>

namespace irisx::events {
namespace {

TEST(DomainSubject, CallsMessagesAndEmailsGoToTheirStreams) {
  EXPECT_EQ(domain_subject("call.answered"), "events.calls.call_answered");
  EXPECT_EQ(domain_subject("call.recording.completed"), "events.calls.call_recording_completed");
  EXPECT_EQ(domain_subject("message.delivered"), "events.sms.message_delivered");
  EXPECT_EQ(domain_subject("email.opened"), "events.emails.email_opened");
}

TEST(DomainSubject, PlatformResourcesHaveNoStream) {
  EXPECT_EQ(domain_subject("api_key.created"), "");
  EXPECT_EQ(domain_subject("user.deleted"), "");
  EXPECT_EQ(domain_subject("webhook.test"), "");
  EXPECT_EQ(domain_subject("calls.x"), "");
}

TEST(IsEventType, AcceptsDottedLowerCaseNames) {
  EXPECT_TRUE(is_event_type("message.delivered"));
  EXPECT_TRUE(is_event_type("call.recording.completed"));
  EXPECT_TRUE(is_event_type("api_key.created"));
}

TEST(IsEventType, RefusesAnythingElse) {
  for (const char* bad : {"", "message", ".x", "x.", "a..b", "Message.sent", "a.b*", "a b.c"}) {
    EXPECT_FALSE(is_event_type(bad)) << bad;
  }
  EXPECT_FALSE(is_event_type(std::string(101, 'a')));
}

TEST(EnvelopeText, EqualsTheJsonRendering) {
  Event e{"EV0123", "TN1", "user.created", R"({"id":"US1","n":[1,2]})", 1764583200000};
  auto parsed = nlohmann::json::parse(envelope_text(e));
  auto rendered = to_json(e);
  rendered.erase("object");
  EXPECT_EQ(parsed, rendered);
  EXPECT_EQ(parsed["created_at"], "2025-12-01T10:00:00Z");
  EXPECT_EQ(parsed["data"]["n"][1], 2);
}

}  // namespace
}  // namespace irisx::events
