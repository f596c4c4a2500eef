#pragma once
// Built-in diagnostic numbers in the spirit of FreeSWITCH's test extensions, enabled by
// config (voice.diagnostics). They exercise the engine before call control exists:
//   echo      answers and sends the caller's media back until the caller hangs up
//   prompt    answers, speaks a sentence, hangs up
//   ivr-test  speaks, gathers digits (up to 10, '#' ends), records 3 s after a beep, hangs up;
//             the digits and the recording land in the call's record
//   ring      rings and never answers, until the caller cancels (or 60 s pass: 480)
//   milliwatt answers and plays a 1004 Hz tone at 0 dBm0 until the caller hangs up
#include <string_view>

#include "voice/engine.hpp"

namespace irisx::voice {

// The application for a diagnostic number, or an empty one when `number` is not one.
Application diagnostic_application(std::string_view number);

}  // namespace irisx::voice
