#pragma once
// A digit string as an application writes it (Twilio <Play digits="1234w#">, FreeSWITCH
// send_dtmf) turned into the steps a sender takes: each key sounds for a while and is followed
// by a gap, 'w' waits half a second and 'W' a second. Both the RFC 4733 sender and the in-band
// tone fallback follow the same steps, so a peer hears the same timing either way.
#include <optional>
#include <string_view>
#include <vector>

namespace irisx::voice::media {

struct DigitTiming {
  int tone_ms = 100;         // how long a key sounds (RFC 4733 event duration, or the tone pair)
  int gap_ms = 100;          // silence after each key, so repeated keys are separate presses
  int short_pause_ms = 500;  // 'w'
  int long_pause_ms = 1000;  // 'W'
};

struct DigitStep {
  char digit = '\0';   // '0'-'9', '*', '#', 'A'-'D'; '\0' for a pause
  int tone_ms = 0;     // 0 for a pause
  int silence_ms = 0;  // after the tone, or the whole pause
};

// nullopt when `digits` holds anything else than DTMF keys (a-d taken as A-D) and w/W: the
// caller refuses the whole string rather than send part of it.
std::optional<std::vector<DigitStep>> plan_digits(std::string_view digits, DigitTiming timing = {});

// Total length of the steps, for a verb's time limit.
int total_ms(const std::vector<DigitStep>& steps);

}  // namespace irisx::voice::media
