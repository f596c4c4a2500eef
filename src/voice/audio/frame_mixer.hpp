#pragma once
// Two call legs' audio as one recording: each side's decoded audio arrives packet by packet
// (10, 20 or 30 ms, whenever the network delivers it) and leaves in 20 ms slots of the wall
// clock, mixed to one channel or side by side in two. A slot a side sent nothing for is
// silence on that side, so the recording is as long as the time it covers.
#include <array>
#include <cstddef>
#include <span>

#include "voice/audio/pcm.hpp"
#include "voice/codec.hpp"

namespace irisx::voice::audio {

enum class MixLayout {
  mono,  // both sides summed (saturating) into one channel
  dual,  // side 0 left, side 1 right (audio::interleave)
};

class FrameSlotMixer {
 public:
  // A side more than `max_queued` samples ahead of the clock (a burst after a stall) loses its
  // oldest audio, so both sides stay within that much of each other and of the wall clock.
  explicit FrameSlotMixer(MixLayout layout, std::size_t max_queued = 5 * kFrameSamples)
      : layout_(layout), max_queued_(max_queued) {}

  // side 0 or 1; other values are ignored.
  void push(std::size_t side, std::span<const std::int16_t> samples);
  // The next 20 ms slot: kFrameSamples samples (mono) or 2 * kFrameSamples interleaved (dual).
  Samples take_slot();
  int channels() const { return layout_ == MixLayout::dual ? 2 : 1; }
  std::size_t queued(std::size_t side) const { return side < 2 ? queued_[side].size() : 0; }

 private:
  Samples take_side(std::size_t side);

  MixLayout layout_;
  std::size_t max_queued_;
  std::array<Samples, 2> queued_;
};

}  // namespace irisx::voice::audio
