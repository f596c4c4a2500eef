#include "voice/media/rtp_packet.hpp"

#include <algorithm>

#include "voice/media/byte_io.hpp"

namespace irisx::voice::media {

using detail::load16;
using detail::load32;
using detail::store16;
using detail::store32;

std::optional<RtpPacketView> parse_rtp(std::span<const std::uint8_t> datagram) {
  const std::size_t size = datagram.size();
  if (size < kRtpHeaderSize) return std::nullopt;
  const std::uint8_t* p = datagram.data();
  if ((p[0] >> 6) != 2) return std::nullopt;  // RFC 3550 §5.1: version is 2
  const bool padding = (p[0] & 0x20) != 0;
  const bool extension = (p[0] & 0x10) != 0;
  const std::size_t csrc_count = p[0] & 0x0F;

  std::size_t offset = kRtpHeaderSize + 4 * csrc_count;
  if (offset > size) return std::nullopt;
  if (extension) {
    // RFC 3550 §5.3.1: 16-bit profile word, 16-bit length in 32-bit words (excluding itself).
    if (offset + 4 > size) return std::nullopt;
    offset += 4 + 4 * std::size_t{load16(p + offset + 2)};
    if (offset > size) return std::nullopt;
  }
  std::size_t end = size;
  if (padding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    const std::size_t count = p[size - 1];
    if (count == 0 || count > size - offset) return std::nullopt;
    end -= count;
  }

  RtpPacketView view;
  view.header.marker = (p[1] & 0x80) != 0;
  view.header.payload_type = static_cast<std::uint8_t>(p[1] & 0x7F);
  view.header.sequence = load16(p + 2);
  view.header.timestamp = load32(p + 4);
  view.header.ssrc = load32(p + 8);
  view.payload = datagram.subspan(offset, end - offset);
  return view;
}

std::size_t write_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload,
                      std::span<std::uint8_t> out) {
  const std::size_t total = kRtpHeaderSize + payload.size();
  if (out.size() < total) return 0;
  std::uint8_t* p = out.data();
  p[0] = 0x80;  // V=2, P=0, X=0, CC=0
  p[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F));
  store16(p + 2, header.sequence);
  store32(p + 4, header.timestamp);
  store32(p + 8, header.ssrc);
  std::copy(payload.begin(), payload.end(), p + kRtpHeaderSize);
  return total;
}

bool looks_like_rtcp(std::span<const std::uint8_t> datagram) {
  // Smallest RTCP packet: 4-byte header + sender SSRC (an empty RR).
  if (datagram.size() < 8 || (datagram[0] >> 6) != 2) return false;
  return datagram[1] >= 192 && datagram[1] <= 223;
}

}  // namespace irisx::voice::media
