#include "webhooks/attempt_plan.hpp"

#include <algorithm>
#include <map>

#include "common/time.hpp"

namespace irisx::webhooks {

AttemptPlan plan_after_attempt(const DeliveryTarget& target, const AttemptOutcome& outcome,
                               std::int64_t now,
                               const std::vector<std::chrono::milliseconds>& schedule,
                               std::chrono::milliseconds disable_after) {
  AttemptPlan plan;
  const bool ok = outcome.error.empty();
  plan.status = ok ? "succeeded" : "failed";
  if (ok) return plan;
  const bool callback = target.endpoint && target.endpoint->kind == "callbacks";
  const bool gone = outcome.status_code == 410;
  const std::int64_t failing_since =
      target.endpoint ? target.endpoint->failing_since.value_or(now) : now;
  if (gone && !callback) {
    plan.disable_reason = "the endpoint answered 410 Gone";
  } else if (!callback && now - failing_since >= disable_after.count()) {
    plan.disable_reason = "deliveries failed without a break since " + rfc3339(failing_since);
  } else if (!gone && target.attempts >= 1 &&
             target.attempts <= static_cast<std::int64_t>(schedule.size())) {
    plan.retry_after = schedule[static_cast<std::size_t>(target.attempts - 1)];
    plan.status = "pending";
  }
  return plan;
}

std::vector<StreakChange> streak_changes(const std::vector<AttemptResult>& results) {
  struct Run {
    bool saw_success = false;
    bool last_ok = false;
    std::optional<std::int64_t> failing_from;  // first failure after the last success
  };
  std::map<std::string, Run> runs;
  std::vector<std::string> order;
  for (const auto& r : results) {
    auto [it, fresh] = runs.try_emplace(r.endpoint_id);
    if (fresh) order.push_back(r.endpoint_id);
    Run& run = it->second;
    run.last_ok = r.ok;
    if (r.ok) {
      run.saw_success = true;
      run.failing_from.reset();
    } else if (!run.failing_from) {
      run.failing_from = r.at;
    }
  }
  std::sort(order.begin(), order.end());
  std::vector<StreakChange> out;
  for (const auto& id : order) {
    const Run& run = runs[id];
    if (run.last_ok) {
      out.push_back({id, StreakChange::Kind::clear, 0});
    } else {
      out.push_back({id, run.saw_success ? StreakChange::Kind::restart : StreakChange::Kind::start,
                     *run.failing_from});
    }
  }
  return out;
}

}  // namespace irisx::webhooks
