#pragma once
// What a status callback and the call.completed event say about an ended leg, in Twilio's words
// (CallStatus: completed | busy | no-answer | failed | canceled).
#include <string>

#include <nlohmann/json.hpp>

#include "voice/calls/call_record.hpp"

namespace irisx::voice {

std::string call_status(const CallRecord& record);

// call.completed's data: {call_id, from, to, direction, status, hangup_cause, sip_status,
// started_at, answered_at, ended_at, duration_ms, billable_s, number}.
nlohmann::json call_completed_data(const CallRecord& record);

}  // namespace irisx::voice
