#include "voice/media/g711.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace irisx::voice::media {
namespace {

TEST(G711, SilenceMapsToTheStandardCodePoints) {
  EXPECT_EQ(linear_to_ulaw(0), 0xFF);
  EXPECT_EQ(ulaw_to_linear(0xFF), 0);
  EXPECT_EQ(ulaw_to_linear(0x7F), 0);  // "negative zero"
  EXPECT_EQ(linear_to_alaw(0), 0xD5);
  EXPECT_EQ(linear_to_alaw(-1), 0x55);
  EXPECT_EQ(alaw_to_linear(0xD5), 8);  // A-law has no zero level: ±1/2 step
  EXPECT_EQ(alaw_to_linear(0x55), -8);
}

TEST(G711, FullScaleMapsToTheExtremeCodes) {
  EXPECT_EQ(linear_to_ulaw(32767), 0x80);
  EXPECT_EQ(linear_to_ulaw(-32768), 0x00);
  EXPECT_EQ(ulaw_to_linear(0x80), 32124);
  EXPECT_EQ(ulaw_to_linear(0x00), -32124);
  EXPECT_EQ(linear_to_alaw(32767), 0xAA);
  EXPECT_EQ(linear_to_alaw(-32768), 0x2A);
  EXPECT_EQ(alaw_to_linear(0xAA), 32256);
  EXPECT_EQ(alaw_to_linear(0x2A), -32256);
}

TEST(G711, UlawRoundTripErrorIsWithinHalfAStep) {
  for (int x = -32768; x <= 32767; ++x) {
    const std::uint8_t code = linear_to_ulaw(static_cast<std::int16_t>(x));
    const int segment = (static_cast<std::uint8_t>(~code) >> 4) & 7;
    const int clipped = std::clamp(x, -32635, 32635);
    const int error = std::abs(clipped - ulaw_to_linear(code));
    ASSERT_LE(error, 4 << segment) << "x=" << x;
  }
}

TEST(G711, AlawRoundTripErrorIsWithinHalfAStep) {
  for (int x = -32768; x <= 32767; ++x) {
    const std::uint8_t code = linear_to_alaw(static_cast<std::int16_t>(x));
    const int segment = ((code ^ 0x55) >> 4) & 7;
    const int half_step = segment <= 1 ? 8 : 8 << (segment - 1);
    const int error = std::abs(x - alaw_to_linear(code));
    ASSERT_LE(error, half_step + 1) << "x=" << x;  // +1: negative values are offset by one
  }
}

TEST(G711, DecodingThenEncodingEveryCodeIsIdentity) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    if (code != 0x7F) {
      EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(code)), code) << c;
    }
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(code)), code) << c;
  }
}

TEST(G711, EncodeAndDecodeSpansMatchTheScalarFunctions) {
  std::vector<std::int16_t> pcm(kFrameSamples);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(static_cast<int>(i) * 409 - 32000);
  std::array<std::uint8_t, kFrameSamples> wire{};
  std::array<std::int16_t, kFrameSamples> back{};
  for (Codec codec : {Codec::pcmu, Codec::pcma}) {
    encode(codec, pcm, wire);
    decode(codec, wire, back);
    for (std::size_t i = 0; i < pcm.size(); ++i) {
      const auto expected = codec == Codec::pcmu ? linear_to_ulaw(pcm[i]) : linear_to_alaw(pcm[i]);
      ASSERT_EQ(wire[i], expected);
      ASSERT_EQ(back[i], codec == Codec::pcmu ? ulaw_to_linear(wire[i]) : alaw_to_linear(wire[i]));
    }
  }
}

TEST(G711, SpansOfDifferentLengthsConvertOnlyTheOverlap) {
  const std::array<std::int16_t, 4> pcm{0, 0, 0, 0};
  std::array<std::uint8_t, 2> out{0x11, 0x11};
  encode(Codec::pcmu, pcm, out);
  EXPECT_EQ(out[0], 0xFF);
  EXPECT_EQ(out[1], 0xFF);
  std::array<std::int16_t, 3> decoded{7, 7, 7};
  decode(Codec::pcmu, out, decoded);
  EXPECT_EQ(decoded[2], 7);
}

TEST(G711, TableTranscodeEqualsDecodeThenEncode) {
  std::array<std::uint8_t, 256> all{};
  for (int c = 0; c < 256; ++c) all[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c);
  std::array<std::uint8_t, 256> out{};
  transcode(Codec::pcmu, Codec::pcma, all, out);
  for (int c = 0; c < 256; ++c)
    EXPECT_EQ(out[static_cast<std::size_t>(c)],
              linear_to_alaw(ulaw_to_linear(static_cast<std::uint8_t>(c))));
  transcode(Codec::pcma, Codec::pcmu, all, out);
  for (int c = 0; c < 256; ++c)
    EXPECT_EQ(out[static_cast<std::size_t>(c)],
              linear_to_ulaw(alaw_to_linear(static_cast<std::uint8_t>(c))));
  transcode(Codec::pcma, Codec::pcma, all, out);
  EXPECT_EQ(out, all);
}

TEST(G711, TranscodedSilenceStaysSilence) {
  const std::array<std::uint8_t, 1> ulaw_silence{0xFF};
  std::array<std::uint8_t, 1> out{};
  transcode(Codec::pcmu, Codec::pcma, ulaw_silence, out);
  EXPECT_EQ(out[0], 0xD5);
}

}  // namespace
}  // namespace irisx::voice::media
