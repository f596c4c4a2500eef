#include "voice/audio/tones.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string_view>
#include <utility>

namespace irisx::voice::audio {
namespace {

// 1024 points with linear interpolation: the interpolation error is below -100 dB, far under
// G.711's quantisation noise.
constexpr int kTableBits = 10;
constexpr std::size_t kTableSize = std::size_t{1} << kTableBits;
constexpr int kFractionBits = 32 - kTableBits;

const std::array<float, kTableSize + 1>& sine_table() {
  static const auto table = [] {
    std::array<float, kTableSize + 1> t{};
    for (std::size_t i = 0; i <= kTableSize; ++i) {
      t[i] = static_cast<float>(std::sin(2 * std::numbers::pi * static_cast<double>(i) /
                                         static_cast<double>(kTableSize)));
    }
    return t;
  }();
  return table;
}

// G.711 puts a full-scale sine at +3.14 dBm0.
double peak_for_dbm0(double dbm0) {
  return 32767.0 * std::pow(10.0, (dbm0 - 3.14) / 20.0);
}

std::int64_t samples_for_ms(int ms) {
  return ms <= 0 ? 0 : std::int64_t{ms} * kSampleRate / 1000;
}

ToneSegment segment(std::vector<double> hz, double dbm0, int on_ms, int off_ms) {
  return ToneSegment{std::move(hz), dbm0, on_ms, off_ms};
}

}  // namespace

// Frequencies and cadences from ITU-T E.180 supplement 2; US levels from the North American
// precise tone plan, the UK ring tone at the same level as the US one.
TonePlan ringback_us() {
  return {{segment({440, 480}, -19, 2000, 4000)}, true};
}
TonePlan ringback_uk() {
  return {{segment({400, 450}, -19, 400, 200), segment({400, 450}, -19, 400, 2000)}, true};
}
TonePlan busy_us() {
  return {{segment({480, 620}, -24, 500, 500)}, true};
}
TonePlan dial_us() {
  return {{segment({350, 440}, -13, 1000, 0)}, true};
}
TonePlan beep() {
  return {{segment({1000}, -13, 250, 0)}, false};
}

std::optional<std::pair<double, double>> dtmf_frequencies(char digit) {
  static constexpr std::string_view kKeys = "123A456B789C*0#D";
  static constexpr std::array<double, 4> kLow = {697, 770, 852, 941};
  static constexpr std::array<double, 4> kHigh = {1209, 1336, 1477, 1633};
  const auto index = kKeys.find(digit);
  if (digit == '\0' || index == std::string_view::npos) return std::nullopt;
  return std::pair{kLow[index / 4], kHigh[index % 4]};
}

ToneGenerator::ToneGenerator(TonePlan plan) : plan_(std::move(plan)) {
  std::int64_t length = 0;
  for (const ToneSegment& s : plan_.segments)
    length += samples_for_ms(s.on_ms) + samples_for_ms(s.off_ms);
  // A repeating plan of zero length would never advance; treat it as finished.
  if (length == 0) {
    finished_ = true;
    return;
  }
  enter_segment(0);
}

void ToneGenerator::enter_segment(std::size_t index) {
  segment_ = index;
  position_ = 0;
  const ToneSegment& s = plan_.segments[index];
  on_samples_ = samples_for_ms(s.on_ms);
  total_samples_ = on_samples_ + samples_for_ms(s.off_ms);
  amplitude_ = peak_for_dbm0(s.level_dbm0);
  oscillators_.clear();
  for (double hz : s.frequencies_hz) {
    // Frequencies at or above Nyquist would alias; they are a plan error, played as silence.
    if (hz <= 0 || hz >= kSampleRate / 2.0) continue;
    oscillators_.push_back(
        {0, static_cast<std::uint32_t>(std::llround(hz / kSampleRate * 4294967296.0))});
  }
}

bool ToneGenerator::settle() {
  // Step over segments that are over (including zero-length ones).
  while (!finished_ && position_ >= total_samples_) {
    const std::size_t next = segment_ + 1;
    if (next < plan_.segments.size()) {
      enter_segment(next);
    } else if (plan_.repeat) {
      enter_segment(0);
    } else {
      finished_ = true;
    }
  }
  return !finished_;
}

std::int16_t ToneGenerator::next_sample() {
  if (!settle()) return 0;
  const bool on = position_ < on_samples_;
  ++position_;
  if (!on || oscillators_.empty()) return 0;
  const auto& table = sine_table();
  double sum = 0;
  for (Oscillator& o : oscillators_) {
    const std::uint32_t index = o.phase >> kFractionBits;
    const float fraction = static_cast<float>(o.phase & ((1u << kFractionBits) - 1)) /
                           static_cast<float>(1u << kFractionBits);
    sum += table[index] + fraction * (table[index + 1] - table[index]);
    o.phase += o.step;  // wraps modulo 2^32: one full turn
  }
  return saturate(static_cast<std::int32_t>(std::lround(sum * amplitude_)));
}

bool ToneGenerator::next_frame(std::span<std::int16_t, kFrameSamples> frame) {
  // Settling first means a plan that ends exactly on a frame boundary reports false for the
  // following frame instead of one extra silent "true" frame.
  if (!settle()) {
    std::fill(frame.begin(), frame.end(), std::int16_t{0});
    return false;
  }
  for (std::int16_t& sample : frame) sample = next_sample();
  return true;
}

}  // namespace irisx::voice::audio
