#include "voice/audio/dtmf_detector.hpp"

#include <gtest/gtest.h>
#include <spandsp.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>

#include "voice/audio/test_signals.hpp"
#include "voice/codec.hpp"

namespace irisx::voice::audio {
namespace {

// ITU-T Q.23: row (low group) and column (high group) frequencies.
struct Pair {
  double low;
  double high;
};
Pair q23(char digit) {
  const std::string keys = "123A456B789C*0#D";
  const double low[] = {697, 770, 852, 941};
  const double high[] = {1209, 1336, 1477, 1633};
  const auto i = keys.find(digit);
  return {low[i / 4], high[i % 4]};
}

// Each digit as two sines at -10 dBm0 each for on_ms, then off_ms of silence.
Samples dtmf_signal(const std::string& digits, int on_ms = 100, int off_ms = 100) {
  const double peak = 32767.0 * std::pow(10.0, (-10 - 3.14) / 20.0);
  Samples out;
  for (char d : digits) {
    const Pair p = q23(d);
    for (int i = 0; i < on_ms * 8; ++i) {
      const double t = i / 8000.0;
      out.push_back(saturate(static_cast<std::int32_t>(
          std::lround(peak * (std::sin(2 * std::numbers::pi * p.low * t) +
                              std::sin(2 * std::numbers::pi * p.high * t))))));
    }
    out.insert(out.end(), static_cast<std::size_t>(off_ms * 8), 0);
  }
  return out;
}

// Feeds in 20 ms frames (the engine's cadence) and returns every digit reported.
std::string detect(const Samples& signal, std::size_t block = kFrameSamples) {
  DtmfDetector detector;
  std::string digits;
  for (std::size_t i = 0; i < signal.size(); i += block) {
    detector.feed(std::span(signal).subspan(i, std::min(block, signal.size() - i)));
    while (auto d = detector.next_digit()) digits += *d;
  }
  return digits;
}

TEST(DtmfDetector, DetectsEveryKeyInOrder) {
  EXPECT_EQ(detect(dtmf_signal("0123456789*#")), "0123456789*#");
}

TEST(DtmfDetector, DetectsTheFourthColumn) {
  EXPECT_EQ(detect(dtmf_signal("ABCD")), "ABCD");
}

TEST(DtmfDetector, DetectsSpandspGeneratedDigits) {
  dtmf_tx_state_t* tx = dtmf_tx_init(nullptr);
  ASSERT_NE(tx, nullptr);
  dtmf_tx_put(tx, "9*1#05", -1);
  Samples signal;
  std::int16_t buffer[kFrameSamples];
  for (int produced; (produced = dtmf_tx(tx, buffer, kFrameSamples)) > 0;) {
    signal.insert(signal.end(), buffer, buffer + produced);
  }
  dtmf_tx_free(tx);
  EXPECT_EQ(detect(signal), "9*1#05");
}

TEST(DtmfDetector, HeldKeyIsOneDigit) {
  EXPECT_EQ(detect(dtmf_signal("5", 2000, 100)), "5");
}

TEST(DtmfDetector, RepeatedKeySeparatedBySilenceIsTwoDigits) {
  EXPECT_EQ(detect(dtmf_signal("77", 80, 80)), "77");
}

TEST(DtmfDetector, BlockSizeDoesNotMatter) {
  const Samples signal = dtmf_signal("3#8");
  EXPECT_EQ(detect(signal, 37), "3#8");
  EXPECT_EQ(detect(signal, signal.size()), "3#8");
}

TEST(DtmfDetector, DigitsWaitUntilTaken) {
  DtmfDetector detector;
  detector.feed(dtmf_signal("42"));
  EXPECT_EQ(detector.next_digit(), '4');
  EXPECT_EQ(detector.next_digit(), '2');
  EXPECT_EQ(detector.next_digit(), std::nullopt);
}

TEST(DtmfDetector, SilenceIsNoDigit) {
  EXPECT_EQ(detect(Samples(80000, 0)), "");
}

TEST(DtmfDetector, SingleToneIsNoDigit) {
  EXPECT_EQ(detect(testing::sine(1000, 8000, 40000, 8000)), "");
  EXPECT_EQ(detect(testing::sine(697, 8000, 40000, 8000)), "");  // one half of a pair
}

TEST(DtmfDetector, NoiseIsNoDigit) {
  std::mt19937 rng(42);
  std::normal_distribution<double> noise(0, 3000);
  Samples signal(80000);
  for (auto& s : signal) s = saturate(static_cast<std::int32_t>(std::lround(noise(rng))));
  EXPECT_EQ(detect(signal), "");
}

TEST(DtmfDetector, SpeechLikeSignalIsNoDigit) {
  // A voiced sound: harmonics of a pitch gliding 100-220 Hz with falling amplitudes, shaped
  // by a syllable envelope — rich in energy around the DTMF bands without being a tone pair.
  Samples signal(10 * 8000);
  double phase = 0;
  for (std::size_t i = 0; i < signal.size(); ++i) {
    const double t = static_cast<double>(i) / 8000;
    const double f0 = 160 + 60 * std::sin(2 * std::numbers::pi * 0.7 * t);
    phase += 2 * std::numbers::pi * f0 / 8000;
    double v = 0;
    for (int h = 1; h <= 20; ++h) v += std::sin(h * phase) / h;
    const double envelope = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * 4 * t);
    signal[i] = saturate(static_cast<std::int32_t>(std::lround(4000 * envelope * v)));
  }
  EXPECT_EQ(detect(signal), "");
}

TEST(DtmfDetector, MovedDetectorKeepsWorking) {
  DtmfDetector a;
  a.feed(dtmf_signal("1"));
  DtmfDetector b = std::move(a);
  b.feed(dtmf_signal("2"));
  EXPECT_EQ(b.next_digit(), '1');
  EXPECT_EQ(b.next_digit(), '2');
}

}  // namespace
}  // namespace irisx::voice::audio
