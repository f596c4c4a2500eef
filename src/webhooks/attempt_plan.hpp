#pragma once
// What the delivery worker knows of one delivery while it attempts it, and what an attempt's
// outcome means for the delivery (worker.cpp, worker_settle.cpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/events.hpp"
#include "webhooks/endpoints.hpp"

namespace irisx::webhooks {

struct DeliveryTarget {
  std::string delivery_id;
  std::string tenant_id;
  std::string status;
  std::optional<std::int64_t> next_attempt_at;
  std::int64_t attempts = 0;
  events::Event event;
  std::optional<Endpoint> endpoint;  // none once deleted
  std::string secret_sealed;
  std::optional<std::string> previous_secret_sealed;
  std::optional<std::string> url;  // a status callback's own URL
};

struct AttemptOutcome {
  int status_code = 0;
  std::int64_t duration_ms = 0;
  std::string excerpt;
  std::string error;  // empty: the attempt succeeded
};

// The delivery's next state after an attempt.
struct AttemptPlan {
  std::string status;                                    // succeeded | failed | pending (retry)
  std::optional<std::chrono::milliseconds> retry_after;  // set when status is pending
  std::string disable_reason;                            // non-empty: disable the endpoint
};

// Success is any 2xx; 410 Gone disables the endpoint; an endpoint failing without a break for
// `disable_after` is disabled; other failures retry on `schedule` until it is used up. The
// callbacks endpoint stands for many URLs that are not the tenant's endpoint: one URL failing
// (even with 410) fails only its delivery and never disables anything.
AttemptPlan plan_after_attempt(const DeliveryTarget& target, const AttemptOutcome& outcome,
                               std::int64_t now,
                               const std::vector<std::chrono::milliseconds>& schedule,
                               std::chrono::milliseconds disable_after);

// How a run of attempts moves endpoints' failure streaks (`failing_since`), in the order the
// attempts finished: one change per endpoint, the same end state as applying them one by one,
// ordered by endpoint id so that concurrent transactions lock endpoints in the same order.
struct AttemptResult {
  std::string endpoint_id;
  bool ok = false;
  std::int64_t at = 0;
};
struct StreakChange {
  enum class Kind {
    clear,    // the last attempt succeeded
    start,    // failures only: the streak starts at `since` unless one is running already
    restart,  // a success broke the streak; it starts again at `since`
  };
  std::string endpoint_id;
  Kind kind = Kind::clear;
  std::int64_t since = 0;
};
std::vector<StreakChange> streak_changes(const std::vector<AttemptResult>& results);

}  // namespace irisx::webhooks
