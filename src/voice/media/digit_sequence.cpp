#include "voice/media/digit_sequence.hpp"

#include "voice/media/telephone_event.hpp"

namespace irisx::voice::media {

std::optional<std::vector<DigitStep>> plan_digits(std::string_view digits, DigitTiming timing) {
  std::vector<DigitStep> steps;
  steps.reserve(digits.size());
  for (char c : digits) {
    if (c == 'w' || c == 'W') {
      steps.push_back({'\0', 0, c == 'w' ? timing.short_pause_ms : timing.long_pause_ms});
      continue;
    }
    const auto event = digit_to_event(c);
    if (!event) return std::nullopt;
    steps.push_back({event_to_digit(*event), timing.tone_ms, timing.gap_ms});
  }
  return steps;
}

int total_ms(const std::vector<DigitStep>& steps) {
  int total = 0;
  for (const auto& step : steps) total += step.tone_ms + step.silence_ms;
  return total;
}

}  // namespace irisx::voice::media
