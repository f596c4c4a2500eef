#pragma once
// RTP fixed header (RFC 3550 §5.1) parsing and writing over caller-owned buffers: parsing
// returns views into the datagram and writing fills a span, so the per-packet path of a leg
// never allocates.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace irisx::voice::media {

inline constexpr std::size_t kRtpHeaderSize = 12;  // RFC 3550 §5.1, without CSRCs

struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

struct RtpPacketView {
  RtpHeader header;
  std::span<const std::uint8_t> payload;  // inside the datagram: CSRCs, extension, padding removed
};

// Validates version 2, that the CSRC list and header extension fit, and that the padding count
// (RFC 3550 §5.1 P bit) is at least 1 and no larger than what follows the header. Any payload
// type is accepted: demultiplex RTCP first with looks_like_rtcp().
std::optional<RtpPacketView> parse_rtp(std::span<const std::uint8_t> datagram);

// Writes a 12-byte header (no CSRCs, extension or padding) and the payload; returns the bytes
// written, or 0 when `out` is too small. payload_type is masked to 7 bits.
std::size_t write_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload,
                      std::span<std::uint8_t> out);

// RFC 5761 §4: with rtcp-mux, a version-2 packet whose second octet is 192–223 is RTCP (SR 200,
// RR 201, SDES 202, BYE 203, APP 204, and the feedback/XR types 205–207 that follow them).
// RTP payload types 64–95 are not used on a muxed session, so this never misreads audio.
bool looks_like_rtcp(std::span<const std::uint8_t> datagram);

}  // namespace irisx::voice::media
