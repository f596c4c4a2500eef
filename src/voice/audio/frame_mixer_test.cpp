#include "voice/audio/frame_mixer.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::audio {
namespace {

Samples constant(std::int16_t value, std::size_t count) {
  return Samples(count, value);
}

TEST(FrameSlotMixer, DualPutsSideZeroLeftAndSideOneRight) {
  FrameSlotMixer mixer(MixLayout::dual);
  mixer.push(0, constant(100, kFrameSamples));
  mixer.push(1, constant(-200, kFrameSamples));
  const Samples slot = mixer.take_slot();
  ASSERT_EQ(slot.size(), 2u * kFrameSamples);
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    ASSERT_EQ(slot[2 * i], 100) << i;
    ASSERT_EQ(slot[2 * i + 1], -200) << i;
  }
  EXPECT_EQ(mixer.channels(), 2);
}

TEST(FrameSlotMixer, MonoSumsBothSidesWithSaturation) {
  FrameSlotMixer mixer(MixLayout::mono);
  mixer.push(0, constant(30000, kFrameSamples));
  mixer.push(1, constant(10000, kFrameSamples));
  const Samples slot = mixer.take_slot();
  ASSERT_EQ(slot.size(), kFrameSamples);
  EXPECT_EQ(slot.front(), 32767);
  EXPECT_EQ(mixer.channels(), 1);
}

TEST(FrameSlotMixer, ASideThatSentNothingIsSilenceAndTheSlotStillCounts) {
  FrameSlotMixer mixer(MixLayout::dual);
  mixer.push(1, constant(500, kFrameSamples));
  const Samples slot = mixer.take_slot();
  ASSERT_EQ(slot.size(), 2u * kFrameSamples);
  EXPECT_EQ(slot[0], 0);
  EXPECT_EQ(slot[1], 500);
  const Samples empty = mixer.take_slot();
  ASSERT_EQ(empty.size(), 2u * kFrameSamples);
  for (std::int16_t s : empty) ASSERT_EQ(s, 0);
}

TEST(FrameSlotMixer, ThirtyMillisecondPacketsLeaveInTwentyMillisecondSlots) {
  FrameSlotMixer mixer(MixLayout::mono);
  mixer.push(0, constant(7, 240));  // one 30 ms packet
  EXPECT_EQ(mixer.take_slot(), constant(7, kFrameSamples));
  Samples second = mixer.take_slot();  // the last 10 ms, then silence
  EXPECT_EQ(second[0], 7);
  EXPECT_EQ(second[79], 7);
  EXPECT_EQ(second[80], 0);
  EXPECT_EQ(mixer.queued(0), 0u);
}

TEST(FrameSlotMixer, ABurstBeyondTheLimitDropsTheOldestAudio) {
  FrameSlotMixer mixer(MixLayout::mono, 2 * kFrameSamples);
  mixer.push(0, constant(1, kFrameSamples));
  mixer.push(0, constant(2, kFrameSamples));
  mixer.push(0, constant(3, kFrameSamples));
  EXPECT_EQ(mixer.queued(0), 2u * kFrameSamples);
  EXPECT_EQ(mixer.take_slot().front(), 2);
  EXPECT_EQ(mixer.take_slot().front(), 3);
}

}  // namespace
}  // namespace irisx::voice::audio
