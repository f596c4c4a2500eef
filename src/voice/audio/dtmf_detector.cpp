#include "voice/audio/dtmf_detector.hpp"

#include <spandsp.h>

#include <algorithm>
#include <new>

namespace irisx::voice::audio {

struct DtmfDetector::State {
  State() : rx(dtmf_rx_init(nullptr, nullptr, nullptr)) {
    if (rx == nullptr) throw std::bad_alloc();
  }
  ~State() { dtmf_rx_free(rx); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  dtmf_rx_state_t* rx;
};

DtmfDetector::DtmfDetector() : state_(std::make_unique<State>()) {}
DtmfDetector::~DtmfDetector() = default;
DtmfDetector::DtmfDetector(DtmfDetector&&) noexcept = default;
DtmfDetector& DtmfDetector::operator=(DtmfDetector&&) noexcept = default;

void DtmfDetector::feed(std::span<const std::int16_t> samples) {
  // dtmf_rx always consumes the whole block (it returns 0); it takes an int count, so feed
  // very large spans in slices.
  constexpr std::size_t kMaxBlock = 1 << 16;
  while (!samples.empty()) {
    const std::size_t n = std::min(samples.size(), kMaxBlock);
    dtmf_rx(state_->rx, samples.data(), static_cast<int>(n));
    samples = samples.subspan(n);
  }
}

std::optional<char> DtmfDetector::next_digit() {
  // dtmf_rx_get() NUL-terminates after the digits it copies: room for max + 1 chars.
  char digit[2] = {};
  if (dtmf_rx_get(state_->rx, digit, 1) == 0) return std::nullopt;
  return digit[0];
}

}  // namespace irisx::voice::audio
