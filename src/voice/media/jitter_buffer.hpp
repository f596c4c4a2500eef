#pragma once
// Playout buffer for one leg's incoming 20 ms frames. Frames are keyed by RTP sequence number
// (16-bit, wrapping) in a fixed ring of kCapacity slots: nothing is allocated after
// construction (~5.5 KiB per leg). The socket layer push()es what arrives; the mixer or
// recorder pop()s one frame per 20 ms tick and conceals a gap (repeat the last frame or play
// silence). Fixed depth, not adaptive: playout starts once `target_depth` frames are queued,
// and again after each underrun (which is also how a talkspurt after silence is handled).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "voice/media/rtp_packet.hpp"

namespace irisx::voice::media {

class JitterBuffer {
 public:
  static constexpr std::size_t kCapacity = 16;        // 320 ms of 20 ms frames
  static constexpr std::size_t kMaxFrameBytes = 320;  // 20 ms of G.711 is 160
  // Further than this from the playout point (either way), a packet means the stream
  // restarted: start over from it (also on a marker bit outside the window, RFC 3551 §4.1).
  static constexpr int kResyncDistance = 100;

  enum class PushResult { accepted, duplicate, late, too_large };

  struct Playout {
    enum class Kind { frame, gap, empty };  // gap: that frame was lost; empty: (re)buffering
    Kind kind = Kind::empty;
    RtpHeader header{};                     // frame only
    std::span<const std::uint8_t> payload;  // frame only; valid until the next push() or pop()
  };

  struct Counters {
    std::uint64_t accepted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t late = 0;  // behind the playout point, including copies of played frames
    std::uint64_t too_large = 0;
    std::uint64_t dropped = 0;  // overwritten unplayed when the sender ran ahead of the window
    std::uint64_t gaps = 0;
    std::uint64_t underruns = 0;
    std::uint64_t resyncs = 0;
  };

  // target_depth is clamped to 1..kCapacity-1 frames; 2 = 40 ms.
  explicit JitterBuffer(std::size_t target_depth = 2);

  PushResult push(const RtpHeader& header, std::span<const std::uint8_t> payload);
  Playout pop();

  std::size_t size() const { return count_; }
  std::size_t target_depth() const { return target_depth_; }
  bool playing() const { return playing_; }
  const Counters& counters() const { return counters_; }
  void reset();

 private:
  struct Slot {
    bool used = false;
    std::uint16_t size = 0;
    RtpHeader header{};
    std::array<std::uint8_t, kMaxFrameBytes> data{};
  };

  Slot& slot_for(std::uint16_t seq) { return slots_[seq % kCapacity]; }
  void anchor(const RtpHeader& header);
  void resync(const RtpHeader& header);
  void drop_before(std::uint16_t seq);
  std::uint16_t oldest() const;
  void store(const RtpHeader& header, std::span<const std::uint8_t> payload);

  std::size_t target_depth_;
  std::array<Slot, kCapacity> slots_{};
  std::size_t count_ = 0;
  bool anchored_ = false;  // next_seq_ and ssrc_ are meaningful
  bool locked_ = false;    // playout has moved: packets before next_seq_ are late
  bool playing_ = false;
  std::uint16_t next_seq_ = 0;
  std::uint16_t highest_ = 0;
  std::uint32_t ssrc_ = 0;
  Counters counters_;
};

}  // namespace irisx::voice::media
