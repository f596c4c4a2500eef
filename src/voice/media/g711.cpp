#include "voice/media/g711.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>

namespace irisx::voice::media {
namespace {

// G.711 §3 (µ-law): the magnitude, biased by 33 in 14-bit terms (132 at 16-bit scale), falls
// in one of 8 segments; the code is sign, segment and 4 mantissa bits, all inverted on the wire.
constexpr int kUlawBias = 0x84;
constexpr int kUlawClip = 32635;  // largest magnitude that stays inside segment 7 after biasing

constexpr std::uint8_t ulaw_encode(int sample) {
  const int sign = sample < 0 ? 0x80 : 0;
  int magnitude = sample < 0 ? -sample : sample;
  magnitude = std::min(magnitude, kUlawClip) + kUlawBias;
  // magnitude >> 7 is 1..255 here, so its bit width minus one is the segment 0..7.
  const int segment = std::bit_width(static_cast<unsigned>(magnitude >> 7)) - 1;
  const int mantissa = (magnitude >> (segment + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (segment << 4) | mantissa));
}

constexpr std::int16_t ulaw_decode(std::uint8_t code) {
  const int bits = static_cast<std::uint8_t>(~code);
  const int segment = (bits >> 4) & 0x07;
  // Reconstruct at the middle of the quantisation step, then remove the bias.
  const int magnitude = ((((bits & 0x0F) << 3) + kUlawBias) << segment) - kUlawBias;
  return static_cast<std::int16_t>((bits & 0x80) != 0 ? -magnitude : magnitude);
}

// G.711 §2 (A-law): 13-bit magnitude, segment 0 is linear like segment 1; even bits are
// inverted on the wire (XOR 0x55) and the sign bit is 1 for positive values.
constexpr std::uint8_t alaw_encode(int sample) {
  int magnitude = sample;
  int mask = 0xD5;
  if (sample < 0) {
    mask = 0x55;
    magnitude = -sample - 1;  // A-law is symmetric around -1/2: -1 maps onto 0's negative twin
  }
  int code = 0;
  if (magnitude < 256) {
    code = magnitude >> 4;
  } else {
    // magnitude >> 8 is 1..127 here: segments 1..7 double in width.
    const int segment = std::bit_width(static_cast<unsigned>(magnitude >> 8));
    code = (segment << 4) | ((magnitude >> (segment + 3)) & 0x0F);
  }
  return static_cast<std::uint8_t>(code ^ mask);
}

constexpr std::int16_t alaw_decode(std::uint8_t code) {
  const int bits = code ^ 0x55;
  const int segment = (bits >> 4) & 0x07;
  int magnitude = ((bits & 0x0F) << 4) + 8;  // middle of the step
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  return static_cast<std::int16_t>((bits & 0x80) != 0 ? magnitude : -magnitude);
}

template <typename F>
constexpr std::array<std::int16_t, 256> decode_table(F decode_one) {
  std::array<std::int16_t, 256> table{};
  for (int i = 0; i < 256; ++i)
    table[static_cast<std::size_t>(i)] = decode_one(static_cast<std::uint8_t>(i));
  return table;
}

constexpr auto kUlawToLinear = decode_table(ulaw_decode);
constexpr auto kAlawToLinear = decode_table(alaw_decode);

constexpr std::array<std::uint8_t, 256> ulaw_to_alaw_table() {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t i = 0; i < 256; ++i) table[i] = alaw_encode(kUlawToLinear[i]);
  return table;
}

constexpr std::array<std::uint8_t, 256> alaw_to_ulaw_table() {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t i = 0; i < 256; ++i) table[i] = ulaw_encode(kAlawToLinear[i]);
  return table;
}

constexpr auto kUlawToAlaw = ulaw_to_alaw_table();
constexpr auto kAlawToUlaw = alaw_to_ulaw_table();

static_assert(ulaw_encode(0) == 0xFF && ulaw_decode(0xFF) == 0);
static_assert(alaw_encode(0) == 0xD5 && alaw_decode(0xD5) == 8);

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t sample) {
  return ulaw_encode(sample);
}
std::int16_t ulaw_to_linear(std::uint8_t code) {
  return kUlawToLinear[code];
}
std::uint8_t linear_to_alaw(std::int16_t sample) {
  return alaw_encode(sample);
}
std::int16_t alaw_to_linear(std::uint8_t code) {
  return kAlawToLinear[code];
}

void encode(Codec codec, std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) {
  const std::size_t n = std::min(pcm.size(), out.size());
  if (codec == Codec::pcmu) {
    for (std::size_t i = 0; i < n; ++i) out[i] = ulaw_encode(pcm[i]);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = alaw_encode(pcm[i]);
  }
}

void decode(Codec codec, std::span<const std::uint8_t> in, std::span<std::int16_t> pcm) {
  const auto& table = codec == Codec::pcmu ? kUlawToLinear : kAlawToLinear;
  const std::size_t n = std::min(in.size(), pcm.size());
  for (std::size_t i = 0; i < n; ++i) pcm[i] = table[in[i]];
}

void transcode(Codec from, Codec to, std::span<const std::uint8_t> in,
               std::span<std::uint8_t> out) {
  const std::size_t n = std::min(in.size(), out.size());
  if (from == to) {
    std::copy_n(in.begin(), n, out.begin());
    return;
  }
  const auto& table = from == Codec::pcmu ? kUlawToAlaw : kAlawToUlaw;
  for (std::size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

}  // namespace irisx::voice::media
