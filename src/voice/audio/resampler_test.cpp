#include "voice/audio/resampler.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "voice/audio/test_signals.hpp"

namespace irisx::voice::audio {
namespace {

using testing::goertzel_amplitude;
using testing::rising_zero_crossings;
using testing::sine;

// One second of a 1 kHz tone at in_rate, converted to 8 kHz, is still one second of 1 kHz.
void expect_tone_survives(int in_rate) {
  const Samples input = sine(1000, 10000, static_cast<std::size_t>(in_rate), in_rate);
  const Samples out = resample(input, in_rate, 8000);
  EXPECT_NEAR(static_cast<double>(out.size()), 8000, 8) << in_rate;
  EXPECT_NEAR(static_cast<double>(rising_zero_crossings(out)), 1000, 2) << in_rate;
  // Level kept within ~0.5 dB, away from the edges where the filter starts and stops.
  const std::span<const std::int16_t> middle(out.data() + 400, 7200);
  EXPECT_NEAR(goertzel_amplitude(middle, 1000, 8000), 10000, 600) << in_rate;
}

TEST(Resampler, HalvesSixteenKilohertzKeepingTheFrequency) {
  expect_tone_survives(16000);
}
TEST(Resampler, ConvertsFortyFourPointOneKilohertz) {
  expect_tone_survives(44100);
}
TEST(Resampler, ConvertsFortyEightKilohertz) {
  expect_tone_survives(48000);
}
TEST(Resampler, ConvertsEspeakRate) {
  expect_tone_survives(22050);
}

TEST(Resampler, EqualRatesPassSamplesThroughUntouched) {
  const Samples input = sine(440, 12000, 1000, 8000);
  EXPECT_EQ(resample(input, 8000, 8000), input);
  Resampler r(8000, 8000);
  EXPECT_EQ(r.process(input), input);
  EXPECT_TRUE(r.flush().empty());
}

TEST(Resampler, RemovesContentAboveTheNewNyquistFrequency) {
  // 6 kHz cannot exist at 8 kHz: it must be filtered out, not folded down to 2 kHz.
  const Samples out = resample(sine(6000, 10000, 16000, 16000), 16000, 8000);
  const std::span<const std::int16_t> middle(out.data() + 400, 7200);
  EXPECT_LT(goertzel_amplitude(middle, 2000, 8000), 100);
}

TEST(Resampler, StreamingInFramesMatchesOneShotLength) {
  const Samples input = sine(1000, 10000, 48000, 48000);
  Resampler r(48000, 8000);
  Samples out;
  for (std::size_t i = 0; i < input.size(); i += 960) {  // 20 ms at 48 kHz
    const Samples part = r.process(std::span(input).subspan(i, 960));
    out.insert(out.end(), part.begin(), part.end());
  }
  const Samples tail = r.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  EXPECT_NEAR(static_cast<double>(out.size()), 8000, 8);
  EXPECT_NEAR(static_cast<double>(rising_zero_crossings(out)), 1000, 2);
  EXPECT_TRUE(r.flush().empty());
}

TEST(Resampler, EmptyInputGivesEmptyOutput) {
  EXPECT_TRUE(resample({}, 16000, 8000).empty());
}

TEST(Resampler, RejectsNonPositiveRates) {
  EXPECT_THROW(Resampler(0, 8000), std::invalid_argument);
  EXPECT_THROW(Resampler(8000, -1), std::invalid_argument);
}

}  // namespace
}  // namespace irisx::voice::audio
