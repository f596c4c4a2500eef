#pragma once
// RTCP (RFC 3550 §6): parsing the compound packets a peer sends (SR, RR, SDES, BYE; other
// types skipped) and building ours (SR or RR + SDES CNAME + optional BYE). Parsing keeps
// views into the datagram and fixed arrays, so it never allocates.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace irisx::voice::media {

// RFC 3550 §6.4.1 report block.
struct ReportBlock {
  std::uint32_t ssrc = 0;              // the source this block is about
  std::uint8_t fraction_lost = 0;      // since the previous report, in 1/256
  std::int32_t cumulative_lost = 0;    // signed 24 bits on the wire
  std::uint32_t highest_sequence = 0;  // extended: cycles << 16 | highest seq
  std::uint32_t jitter = 0;            // timestamp units
  std::uint32_t last_sr = 0;           // middle 32 bits of the last SR's NTP timestamp, 0 if none
  std::uint32_t delay_since_last_sr = 0;  // 1/65536 s
};

// RFC 3550 §6.4.1 sender info.
struct SenderInfo {
  std::uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};

inline constexpr std::size_t kMaxReportBlocks = 31;  // the 5-bit count of one SR/RR
inline constexpr std::size_t kMaxByeSources = 31;

// One compound packet. string_views point into the parsed datagram: copy what outlives it.
struct RtcpCompound {
  std::uint32_t sender_ssrc = 0;                       // of the first SR or RR
  std::optional<SenderInfo> sender_info;               // from the first SR
  std::array<ReportBlock, kMaxReportBlocks> blocks{};  // from every SR and RR, in order
  std::size_t block_count = 0;                         // blocks beyond kMaxReportBlocks are dropped
  std::string_view cname;                              // first SDES CNAME item (§6.5.1)
  bool bye = false;
  std::array<std::uint32_t, kMaxByeSources> bye_ssrcs{};
  std::size_t bye_count = 0;
  std::string_view bye_reason;

  std::span<const ReportBlock> reports() const { return {blocks.data(), block_count}; }
};

// Validates every packet per RFC 3550 A.2 (version 2, lengths that add up to the datagram,
// padding only in the last packet, counts that fit their packet); nullopt otherwise. Unknown
// packet types (APP, feedback, XR) are skipped. The first packet need not be SR/RR, which
// lets reduced-size RTCP (RFC 5506) through.
std::optional<RtcpCompound> parse_rtcp(std::span<const std::uint8_t> datagram);

struct ReportInput {
  std::uint32_t ssrc = 0;
  std::optional<SenderInfo> sender;     // SR when we sent RTP since the last report, else RR
  std::span<const ReportBlock> blocks;  // at most kMaxReportBlocks
  std::string_view cname;  // required: §6.1 puts a CNAME in every compound; 1..255 bytes
  bool bye = false;
  std::string_view bye_reason;  // up to 255 bytes, optional
};

// Writes SR or RR, SDES with the CNAME, and BYE when asked; returns the bytes written, or 0
// when `out` is too small or the input breaks the limits above.
std::size_t write_rtcp_report(const ReportInput& input, std::span<std::uint8_t> out);

// NTP timestamp (RFC 3550 §4) of a wall-clock time.
std::uint64_t ntp_timestamp(std::chrono::system_clock::time_point time);
// The middle 32 bits, as LSR and the RTT arrival time A use (§6.4.1).
constexpr std::uint32_t ntp_middle32(std::uint64_t ntp) {
  return static_cast<std::uint32_t>(ntp >> 16);
}
// §6.4.1: RTT = A - LSR - DLSR, where A is the arrival time of the report carrying `block`
// (middle 32 NTP bits). In 1/65536 s; nullopt when the block has no LSR or the result would be
// negative (clocks or a stale block).
std::optional<std::uint32_t> round_trip_time(std::uint32_t arrival_ntp_middle,
                                             const ReportBlock& block);
// The same in milliseconds.
std::optional<double> round_trip_ms(std::uint32_t arrival_ntp_middle, const ReportBlock& block);

}  // namespace irisx::voice::media
