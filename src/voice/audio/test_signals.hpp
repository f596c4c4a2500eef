#pragma once
// Signal generators and measurements shared by the audio and TTS unit tests. Test-only.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>

#include "voice/audio/pcm.hpp"

namespace irisx::voice::audio::testing {

inline Samples sine(double hz, double amplitude, std::size_t count, int rate) {
  Samples out(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / rate;
    out[i] = saturate(static_cast<std::int32_t>(
        std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * t))));
  }
  return out;
}

// Sign changes from negative to non-negative; a tone of f Hz over s seconds has about f * s.
inline std::size_t rising_zero_crossings(std::span<const std::int16_t> x) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) ++n;
  }
  return n;
}

inline double rms(std::span<const std::int16_t> x) {
  if (x.empty()) return 0;
  double sum = 0;
  for (std::int16_t s : x) sum += static_cast<double>(s) * s;
  return std::sqrt(sum / static_cast<double>(x.size()));
}

// Amplitude of the component at `hz` (Goertzel), scaled so a sine of amplitude A reads ~A.
inline double goertzel_amplitude(std::span<const std::int16_t> x, double hz, int rate) {
  const double w = 2 * std::numbers::pi * hz / rate;
  const double coeff = 2 * std::cos(w);
  double s1 = 0;
  double s2 = 0;
  for (std::int16_t sample : x) {
    const double s0 = sample + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2 * std::sqrt(std::max(power, 0.0)) / static_cast<double>(x.size());
}

}  // namespace irisx::voice::audio::testing
