#include "webhooks/attempt_plan.hpp"

#include <gtest/gtest.h>

namespace irisx::webhooks {
namespace {

using std::chrono::milliseconds;
using Kind = StreakChange::Kind;

const std::vector<milliseconds> kSchedule{milliseconds(5000), milliseconds(300000)};
const milliseconds kDisableAfter{86400000};

DeliveryTarget target(std::int64_t attempts, std::string kind = "events",
                      std::optional<std::int64_t> failing_since = std::nullopt) {
  DeliveryTarget t;
  t.attempts = attempts;
  t.endpoint = Endpoint{};
  t.endpoint->id = "WH1";
  t.endpoint->kind = std::move(kind);
  t.endpoint->failing_since = failing_since;
  return t;
}

AttemptOutcome failure(int status) {
  return {status, 10, "", "HTTP " + std::to_string(status)};
}

TEST(PlanAfterAttempt, A2xxSucceedsTheDelivery) {
  AttemptPlan p = plan_after_attempt(target(1), {200, 5, "ok", ""}, 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(p.status, "succeeded");
  EXPECT_FALSE(p.retry_after);
  EXPECT_TRUE(p.disable_reason.empty());
}

TEST(PlanAfterAttempt, AFailureRetriesOnTheScheduleUntilItIsUsedUp) {
  AttemptPlan first = plan_after_attempt(target(1), failure(500), 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(first.status, "pending");
  EXPECT_EQ(first.retry_after, milliseconds(5000));
  AttemptPlan second = plan_after_attempt(target(2), failure(500), 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(second.retry_after, milliseconds(300000));
  AttemptPlan last = plan_after_attempt(target(3), failure(500), 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(last.status, "failed");
  EXPECT_FALSE(last.retry_after);
}

TEST(PlanAfterAttempt, GoneDisablesAnEventsEndpointButOnlyFailsACallback) {
  AttemptPlan events = plan_after_attempt(target(1), failure(410), 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(events.status, "failed");
  EXPECT_FALSE(events.retry_after);
  EXPECT_EQ(events.disable_reason, "the endpoint answered 410 Gone");
  AttemptPlan callback =
      plan_after_attempt(target(1, "callbacks"), failure(410), 1000, kSchedule, kDisableAfter);
  EXPECT_EQ(callback.status, "failed");
  EXPECT_FALSE(callback.retry_after);
  EXPECT_TRUE(callback.disable_reason.empty());
}

TEST(PlanAfterAttempt, AnEndpointFailingSinceTheLimitIsDisabled) {
  const std::int64_t now = kDisableAfter.count() + 5000;
  AttemptPlan p =
      plan_after_attempt(target(1, "events", 5000), failure(503), now, kSchedule, kDisableAfter);
  EXPECT_NE(p.disable_reason.find("failed without a break since"), std::string::npos);
  AttemptPlan young =
      plan_after_attempt(target(1, "events", 5001), failure(503), now, kSchedule, kDisableAfter);
  EXPECT_TRUE(young.disable_reason.empty());
  EXPECT_EQ(young.status, "pending");
}

TEST(StreakChanges, ALastSuccessClearsTheStreak) {
  auto c = streak_changes({{"WH1", false, 10}, {"WH1", true, 20}});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, Kind::clear);
}

TEST(StreakChanges, FailuresOnlyStartTheStreakAtTheFirstUnlessOneRuns) {
  auto c = streak_changes({{"WH1", false, 10}, {"WH1", false, 20}});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, Kind::start);
  EXPECT_EQ(c[0].since, 10);
}

TEST(StreakChanges, FailuresAfterASuccessRestartTheStreakAtTheFirstOfThem) {
  auto c = streak_changes(
      {{"WH1", false, 5}, {"WH1", true, 10}, {"WH1", false, 20}, {"WH1", false, 30}});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, Kind::restart);
  EXPECT_EQ(c[0].since, 20);
}

TEST(StreakChanges, OneChangePerEndpointInEndpointOrder) {
  auto c = streak_changes({{"WH2", true, 1}, {"WH1", false, 2}, {"WH2", true, 3}});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].endpoint_id, "WH1");
  EXPECT_EQ(c[0].kind, Kind::start);
  EXPECT_EQ(c[1].endpoint_id, "WH2");
  EXPECT_EQ(c[1].kind, Kind::clear);
}

}  // namespace
}  // namespace irisx::webhooks
