#include "voice/calls/call_status.hpp"

#include "common/time.hpp"
#include "voice/calls/dial.hpp"

namespace irisx::voice {
namespace {

nlohmann::json time_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(rfc3339(*ms)) : nlohmann::json(nullptr);
}

}  // namespace

std::string call_status(const CallRecord& record) {
  if (record.answered_at) return "completed";
  if (record.hangup_cause == "originator_cancel") return "canceled";
  // Unanswered: the final status the leg ended with says why, as for a dialled leg.
  switch (refusal_of(record.sip_status)) {
    case Refusal::busy:
      return "busy";
    case Refusal::no_answer:
      return "no-answer";
    default:
      return "failed";
  }
}

nlohmann::json call_completed_data(const CallRecord& r) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["call_id"] = r.id;
  out["from"] = r.from;
  out["to"] = r.to;
  out["direction"] = r.direction;
  out["status"] = call_status(r);
  out["hangup_cause"] = r.hangup_cause;
  out["sip_status"] = r.sip_status;
  out["started_at"] = rfc3339(r.started_at);
  out["answered_at"] = time_or_null(r.answered_at);
  out["ended_at"] = time_or_null(r.ended_at);
  out["duration_ms"] = r.duration_ms();
  out["billable_s"] = r.billable_s();
  out["number"] = r.number;
  return out;
}

}  // namespace irisx::voice
