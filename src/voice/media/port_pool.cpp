#include "voice/media/port_pool.hpp"

#include <charconv>
#include <stdexcept>

namespace irisx::voice::media {

PortPool::PortPool(std::uint16_t lo, std::uint16_t hi)
    : lo_(static_cast<std::uint16_t>(lo + (lo % 2))) {
  // The count of even ports p with lo_ <= p and p + 1 <= hi.
  const std::size_t pairs = hi > lo_ ? (std::size_t{hi} - lo_ + 1) / 2 : 0;
  if (lo_ < lo || pairs == 0) throw std::invalid_argument("RTP port range has no even/odd pair");
  ring_.resize(pairs);
  in_use_.assign(pairs, false);
  for (std::size_t i = 0; i < pairs; ++i) ring_[i] = static_cast<std::uint16_t>(lo_ + 2 * i);
  free_ = pairs;
}

std::optional<std::uint16_t> PortPool::acquire() {
  std::lock_guard lock(mutex_);
  if (free_ == 0) return std::nullopt;
  const std::uint16_t port = ring_[head_];
  head_ = (head_ + 1) % ring_.size();
  --free_;
  in_use_[index_of(port)] = true;
  return port;
}

void PortPool::release(std::uint16_t rtp_port) {
  std::lock_guard lock(mutex_);
  if (rtp_port < lo_ || (rtp_port - lo_) % 2 != 0) return;
  const std::size_t index = index_of(rtp_port);
  if (index >= in_use_.size() || !in_use_[index]) return;
  in_use_[index] = false;
  ring_[(head_ + free_) % ring_.size()] = rtp_port;
  ++free_;
}

std::size_t PortPool::available() const {
  std::lock_guard lock(mutex_);
  return free_;
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> PortPool::parse_range(
    std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view digits) -> std::optional<unsigned> {
    unsigned value = 0;
    const auto* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if (digits.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
  };
  const auto lo = number(text.substr(0, dash));
  const auto hi = number(text.substr(dash + 1));
  if (!lo || !hi || *lo < 1024 || *hi > 65535 || *lo >= *hi) return std::nullopt;
  const unsigned even_lo = *lo + (*lo % 2);
  if (even_lo + 1 > *hi) return std::nullopt;
  return std::pair{static_cast<std::uint16_t>(even_lo), static_cast<std::uint16_t>(*hi)};
}

}  // namespace irisx::voice::media
