#include "voice/audio/tones.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "voice/audio/test_signals.hpp"

namespace irisx::voice::audio {
namespace {

using testing::goertzel_amplitude;
using testing::rms;

// Plays `frames` frames, recording for each whether it returned true and whether it was audible.
struct Played {
  Samples samples;
  std::vector<bool> returned;
};

Played play(ToneGenerator& generator, int frames) {
  Played out;
  std::array<std::int16_t, kFrameSamples> frame{};
  for (int i = 0; i < frames; ++i) {
    out.returned.push_back(generator.next_frame(frame));
    out.samples.insert(out.samples.end(), frame.begin(), frame.end());
  }
  return out;
}

std::span<const std::int16_t> window(const Samples& s, int from_ms, int to_ms) {
  const auto from = static_cast<std::size_t>(from_ms * 8);
  return std::span<const std::int16_t>(s).subspan(from, static_cast<std::size_t>(to_ms * 8) - from);
}

double expected_peak(double dbm0) {
  return 32767.0 * std::pow(10.0, (dbm0 - 3.14) / 20.0);
}

TEST(Tones, BeepIsOneKilohertzAtItsLevel) {
  ToneGenerator generator(beep());
  const Played p = play(generator, 12);
  const auto tone = window(p.samples, 0, 240);
  EXPECT_NEAR(goertzel_amplitude(tone, 1000, 8000), expected_peak(-13), expected_peak(-13) * 0.01);
  EXPECT_LT(goertzel_amplitude(tone, 1200, 8000), 50);
  EXPECT_NEAR(static_cast<double>(testing::rising_zero_crossings(tone)), 240, 1);
}

TEST(Tones, BeepLastsQuarterOfASecondThenFinishes) {
  ToneGenerator generator(beep());
  const Played p = play(generator, 20);
  // 250 ms is 12.5 frames: 13 frames of audio (the last half silent), then false.
  for (int i = 0; i < 13; ++i) EXPECT_TRUE(p.returned[static_cast<std::size_t>(i)]) << i;
  for (int i = 13; i < 20; ++i) EXPECT_FALSE(p.returned[static_cast<std::size_t>(i)]) << i;
  EXPECT_GT(rms(window(p.samples, 240, 250)), 1000);
  EXPECT_EQ(rms(window(p.samples, 250, 400)), 0);
  EXPECT_TRUE(generator.finished());
}

TEST(Tones, PlanEndingOnAFrameBoundaryHasNoExtraFrame) {
  ToneGenerator generator(TonePlan{{ToneSegment{{1000}, -13, 100, 0}}, false});
  const Played p = play(generator, 6);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(p.returned[static_cast<std::size_t>(i)]);
  EXPECT_FALSE(p.returned[5]);
}

TEST(Tones, UsRingbackHasBothFrequenciesAndTwoOnFourOffCadence) {
  ToneGenerator generator(ringback_us());
  const Played p = play(generator, 650);  // 13 s: two full cycles and the start of a third
  const auto on = window(p.samples, 100, 1900);
  EXPECT_NEAR(goertzel_amplitude(on, 440, 8000), expected_peak(-19), expected_peak(-19) * 0.02);
  EXPECT_NEAR(goertzel_amplitude(on, 480, 8000), expected_peak(-19), expected_peak(-19) * 0.02);
  EXPECT_LT(goertzel_amplitude(on, 620, 8000), 30);
  for (int cycle = 0; cycle < 2; ++cycle) {
    const int start = cycle * 6000;
    EXPECT_GT(rms(window(p.samples, start, start + 2000)), 500) << cycle;
    EXPECT_EQ(rms(window(p.samples, start + 2000, start + 6000)), 0) << cycle;
  }
  EXPECT_GT(rms(window(p.samples, 12000, 13000)), 500);  // repeats
  for (bool returned : p.returned) EXPECT_TRUE(returned);
}

TEST(Tones, UkRingbackHasTwoBurstsPerCycle) {
  ToneGenerator generator(ringback_uk());
  const Played p = play(generator, 150);  // one 3 s cycle
  EXPECT_GT(rms(window(p.samples, 0, 400)), 500);
  EXPECT_EQ(rms(window(p.samples, 400, 600)), 0);
  EXPECT_GT(rms(window(p.samples, 600, 1000)), 500);
  EXPECT_EQ(rms(window(p.samples, 1000, 3000)), 0);
  EXPECT_NEAR(goertzel_amplitude(window(p.samples, 0, 400), 400, 8000), expected_peak(-19),
              expected_peak(-19) * 0.03);
}

TEST(Tones, BusyAlternatesHalfSeconds) {
  ToneGenerator generator(busy_us());
  const Played p = play(generator, 200);  // 4 s
  for (int start = 0; start < 4000; start += 1000) {
    EXPECT_GT(rms(window(p.samples, start, start + 500)), 200) << start;
    EXPECT_EQ(rms(window(p.samples, start + 500, start + 1000)), 0) << start;
  }
  EXPECT_NEAR(goertzel_amplitude(window(p.samples, 0, 500), 620, 8000), expected_peak(-24),
              expected_peak(-24) * 0.02);
}

TEST(Tones, DialToneIsContinuous) {
  ToneGenerator generator(dial_us());
  const Played p = play(generator, 250);
  for (int start = 0; start < 5000; start += 100) {
    EXPECT_GT(rms(window(p.samples, start, start + 100)), 1000) << start;
  }
}

TEST(Tones, PhaseStaysAccurateOverMinutes) {
  // The 32-bit accumulator must not drift: after 60 s the 440 Hz component is still clean.
  ToneGenerator generator(dial_us());
  const Played p = play(generator, 3000);
  const auto last = window(p.samples, 59000, 60000);
  EXPECT_NEAR(goertzel_amplitude(last, 440, 8000), expected_peak(-13), expected_peak(-13) * 0.01);
}

TEST(Tones, EmptyPlanFinishesAtOnce) {
  ToneGenerator empty(TonePlan{{}, true});
  ToneGenerator zero_length(TonePlan{{ToneSegment{{1000}, -13, 0, 0}}, true});
  std::array<std::int16_t, kFrameSamples> frame{};
  frame.fill(7);
  EXPECT_FALSE(empty.next_frame(frame));
  EXPECT_EQ(frame[0], 0);
  EXPECT_FALSE(zero_length.next_frame(frame));
}

TEST(Tones, LoudTwoToneSaturatesInsteadOfWrapping) {
  ToneGenerator generator(TonePlan{{ToneSegment{{500, 500}, 3, 100, 0}}, false});
  const Played p = play(generator, 5);
  // Two in-phase components at +3 dBm0 sum to ~2x full scale: clipped peaks, never sign flips.
  for (std::size_t i = 1; i < 8; ++i) EXPECT_GT(p.samples[i], 0) << i;  // first half-cycle
  EXPECT_EQ(p.samples[4], 32767);                                       // clipped peak
}

TEST(Tones, MixIntoSaturates) {
  Samples dst{30000, -30000, 5};
  const Samples src{10000, -10000, 5};
  mix_into(dst, src);
  EXPECT_EQ(dst, (Samples{32767, -32768, 10}));
}

TEST(Tones, DtmfKeysHaveTheirQ23FrequencyPairs) {
  EXPECT_EQ(dtmf_frequencies('1'), (std::pair{697.0, 1209.0}));
  EXPECT_EQ(dtmf_frequencies('5'), (std::pair{770.0, 1336.0}));
  EXPECT_EQ(dtmf_frequencies('9'), (std::pair{852.0, 1477.0}));
  EXPECT_EQ(dtmf_frequencies('#'), (std::pair{941.0, 1477.0}));
  EXPECT_EQ(dtmf_frequencies('*'), (std::pair{941.0, 1209.0}));
  EXPECT_EQ(dtmf_frequencies('0'), (std::pair{941.0, 1336.0}));
  EXPECT_EQ(dtmf_frequencies('D'), (std::pair{941.0, 1633.0}));
  EXPECT_FALSE(dtmf_frequencies('w').has_value());
  EXPECT_FALSE(dtmf_frequencies('\0').has_value());
}

}  // namespace
}  // namespace irisx::voice::audio
