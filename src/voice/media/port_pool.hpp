#pragma once
// RTP port allocation over the configured range (`--rtp-ports 20000-29999`). RFC 3550 §11: RTP
// takes an even port and RTCP the next odd one, so the pool hands out even ports and reserves
// port+1 with each. Thread-safe: legs on any thread acquire and release.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace irisx::voice::media {

class PortPool {
 public:
  // Every even port p in [lo, hi] with p+1 <= hi; lo is rounded up to even. Throws
  // std::invalid_argument when that leaves no pair (configuration error at start-up).
  PortPool(std::uint16_t lo, std::uint16_t hi);

  // The even RTP port free for longest (least recently released), or nullopt when exhausted.
  // Reusing the port a call just gave up would let its stale packets reach the next call. The
  // caller binds it and, if the bind fails (another process has it), releases and acquires again.
  std::optional<std::uint16_t> acquire();
  // Returns an acquired port to the back of the queue; anything else (odd, foreign, already
  // free) is ignored.
  void release(std::uint16_t rtp_port);
  std::size_t available() const;
  std::size_t capacity() const { return in_use_.size(); }

  // "LO-HI" with 1024 <= LO < HI <= 65535, LO rounded up to even, room for one RTP/RTCP pair.
  static std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_range(std::string_view text);

 private:
  std::size_t index_of(std::uint16_t port) const { return (port - lo_) / 2; }

  std::uint16_t lo_;
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> ring_;  // free ports, FIFO: head_ is the next to hand out
  std::size_t head_ = 0;
  std::size_t free_ = 0;
  std::vector<bool> in_use_;
};

}  // namespace irisx::voice::media
