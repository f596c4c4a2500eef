#pragma once
// The engine's internal audio: 16-bit signed mono PCM at voice::kSampleRate (8 kHz), handled
// in voice::kFrameSamples (20 ms) frames. Everything that enters the engine (prompts, TTS,
// decoded RTP) is converted to this once, at the edge.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace irisx::voice::audio {

using Samples = std::vector<std::int16_t>;

// Clamps to the int16 range: sums of several sources must clip, not wrap around.
constexpr std::int16_t saturate(std::int32_t value) {
  return static_cast<std::int16_t>(std::clamp<std::int32_t>(value, INT16_MIN, INT16_MAX));
}

// Adds src into dst sample by sample with saturation (conference mixing, tones under speech).
// Mixes min(dst.size(), src.size()) samples; the rest of dst is left as it is.
inline void mix_into(std::span<std::int16_t> dst, std::span<const std::int16_t> src) {
  const std::size_t n = std::min(dst.size(), src.size());
  for (std::size_t i = 0; i < n; ++i) dst[i] = saturate(std::int32_t{dst[i]} + src[i]);
}

}  // namespace irisx::voice::audio
