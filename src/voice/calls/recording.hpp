#pragma once
// A finished recording, as the recording verbs and a recorded dial hand it back.
#include <cstdint>
#include <string>

namespace irisx::voice {

struct Recording {
  std::string path;  // empty when nothing was recorded
  std::int64_t duration_ms = 0;
};

// Twilio <Dial record="record-from-answer" | "record-from-answer-dual">: the bridged call from
// the callee's answer to its end, both parties mixed (mono) or side by side (dual: left the
// caller, right the callee).
enum class RecordMode { none, mono, dual };

}  // namespace irisx::voice
