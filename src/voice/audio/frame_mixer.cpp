#include "voice/audio/frame_mixer.hpp"

#include <algorithm>

#include "voice/audio/wav.hpp"

namespace irisx::voice::audio {

void FrameSlotMixer::push(std::size_t side, std::span<const std::int16_t> samples) {
  if (side >= queued_.size()) return;
  Samples& queue = queued_[side];
  queue.insert(queue.end(), samples.begin(), samples.end());
  if (queue.size() > max_queued_) {
    queue.erase(queue.begin(),
                queue.begin() + static_cast<std::ptrdiff_t>(queue.size() - max_queued_));
  }
}

Samples FrameSlotMixer::take_side(std::size_t side) {
  Samples& queue = queued_[side];
  const std::size_t n = std::min<std::size_t>(kFrameSamples, queue.size());
  Samples frame(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
  frame.resize(kFrameSamples, 0);  // nothing arrived for (part of) this slot: silence
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
  return frame;
}

Samples FrameSlotMixer::take_slot() {
  Samples left = take_side(0);
  const Samples right = take_side(1);
  if (layout_ == MixLayout::dual) return interleave(left, right);
  mix_into(left, right);
  return left;
}

}  // namespace irisx::voice::audio
