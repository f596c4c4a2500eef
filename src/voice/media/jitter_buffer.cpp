#include "voice/media/jitter_buffer.hpp"

#include <algorithm>

namespace irisx::voice::media {
namespace {

// Signed distance a - b in sequence space (RFC 3550 sequence numbers wrap at 2^16).
int seq_diff(std::uint16_t a, std::uint16_t b) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b));
}

constexpr int kWindow = static_cast<int>(JitterBuffer::kCapacity);

}  // namespace

JitterBuffer::JitterBuffer(std::size_t target_depth)
    : target_depth_(std::clamp<std::size_t>(target_depth, 1, kCapacity - 1)) {}

void JitterBuffer::reset() {
  for (Slot& slot : slots_) slot.used = false;
  count_ = 0;
  anchored_ = false;
  locked_ = false;
  playing_ = false;
}

void JitterBuffer::anchor(const RtpHeader& header) {
  anchored_ = true;
  ssrc_ = header.ssrc;
  next_seq_ = header.sequence;
  highest_ = header.sequence;
}

void JitterBuffer::resync(const RtpHeader& header) {
  reset();
  anchor(header);
  ++counters_.resyncs;
}

void JitterBuffer::store(const RtpHeader& header, std::span<const std::uint8_t> payload) {
  Slot& slot = slot_for(header.sequence);
  slot.used = true;
  slot.header = header;
  slot.size = static_cast<std::uint16_t>(payload.size());
  std::copy(payload.begin(), payload.end(), slot.data.begin());
  ++count_;
  if (seq_diff(header.sequence, highest_) > 0) highest_ = header.sequence;
  ++counters_.accepted;
}

// Moves the playout point to `seq`, dropping the unplayed frames before it.
void JitterBuffer::drop_before(std::uint16_t seq) {
  for (Slot& slot : slots_) {
    if (slot.used && seq_diff(slot.header.sequence, seq) < 0) {
      slot.used = false;
      --count_;
      ++counters_.dropped;
    }
  }
  next_seq_ = seq;
  locked_ = true;
}

std::uint16_t JitterBuffer::oldest() const {
  std::uint16_t best = highest_;
  for (const Slot& slot : slots_) {
    if (slot.used && seq_diff(slot.header.sequence, best) < 0) best = slot.header.sequence;
  }
  return best;
}

JitterBuffer::PushResult JitterBuffer::push(const RtpHeader& header,
                                            std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxFrameBytes) {
    ++counters_.too_large;
    return PushResult::too_large;
  }
  if (!anchored_) {
    anchor(header);
  } else if (header.ssrc != ssrc_) {
    resync(header);  // a new source: its sequence numbers say nothing about the old one's
  }
  const std::uint16_t seq = header.sequence;
  const int ahead = seq_diff(seq, next_seq_);
  if (ahead < 0) {
    // A marker behind the playout point is a new talkspurt from a restarted sender; while
    // still filling, it is just the first packet arriving after the second.
    if ((header.marker && locked_) || ahead < -kResyncDistance) {
      resync(header);
    } else if (!locked_ && seq_diff(highest_, seq) < kWindow) {
      next_seq_ = seq;  // still filling: an earlier packet arrived after a later one
    } else {
      ++counters_.late;
      return PushResult::late;
    }
  } else if (ahead >= kWindow) {
    if (header.marker || ahead > kResyncDistance) {
      resync(header);
    } else {
      // The sender is ahead of our window (a burst after a stall): keep the newest frames.
      drop_before(static_cast<std::uint16_t>(seq - (kCapacity - 1)));
    }
  }
  const Slot& slot = slot_for(seq);
  if (slot.used && slot.header.sequence == seq) {
    ++counters_.duplicates;
    return PushResult::duplicate;
  }
  store(header, payload);
  return PushResult::accepted;
}

JitterBuffer::Playout JitterBuffer::pop() {
  Playout out;
  if (!playing_) {
    if (count_ < target_depth_) return out;
    playing_ = true;
    // Start (or, after an underrun, resume) at the oldest frame held rather than playing
    // gaps for frames that were never sent, as in silence suppression.
    next_seq_ = oldest();
  }
  if (count_ == 0) {
    playing_ = false;
    ++counters_.underruns;
    return out;
  }
  locked_ = true;
  Slot& slot = slot_for(next_seq_);
  if (slot.used && slot.header.sequence == next_seq_) {
    slot.used = false;
    --count_;
    out.kind = Playout::Kind::frame;
    out.header = slot.header;
    out.payload = std::span<const std::uint8_t>(slot.data.data(), slot.size);
  } else {
    out.kind = Playout::Kind::gap;
    ++counters_.gaps;
  }
  ++next_seq_;
  return out;
}

}  // namespace irisx::voice::media
