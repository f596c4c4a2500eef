#pragma once
// In-band DTMF (ITU-T Q.23/Q.24) detection, the fallback for peers that send digits as audio
// instead of RFC 4733 telephone-events. Wraps spandsp's dtmf_rx.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace irisx::voice::audio {

// Feed every received 8 kHz frame in order; each key press yields one digit ('0'-'9', '*',
// '#', 'A'-'D') once the tone has lasted long enough (spandsp's Q.24 timing, ~40 ms), however
// long it is held. Digits not taken wait in a buffer of 128 (older ones are kept, newer
// dropped). Not thread-safe; move-only.
class DtmfDetector {
 public:
  DtmfDetector();
  ~DtmfDetector();
  DtmfDetector(DtmfDetector&&) noexcept;
  DtmfDetector& operator=(DtmfDetector&&) noexcept;

  void feed(std::span<const std::int16_t> samples);
  std::optional<char> next_digit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace irisx::voice::audio
