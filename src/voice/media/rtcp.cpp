#include "voice/media/rtcp.hpp"

#include <algorithm>

#include "voice/media/byte_io.hpp"

namespace irisx::voice::media {
namespace {

using detail::load16;
using detail::load32;
using detail::store16;
using detail::store32;

// RFC 3550 §12.1 packet types.
constexpr std::uint8_t kSr = 200;
constexpr std::uint8_t kRr = 201;
constexpr std::uint8_t kSdes = 202;
constexpr std::uint8_t kBye = 203;
constexpr std::uint8_t kSdesEnd = 0;
constexpr std::uint8_t kSdesCname = 1;

constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kSenderInfoSize = 20;
constexpr std::size_t kReportBlockSize = 24;

// Reads `count` report blocks from `body`, which the caller has checked is long enough.
void read_blocks(const std::uint8_t* body, std::size_t count, RtcpCompound& out) {
  for (std::size_t i = 0; i < count; ++i, body += kReportBlockSize) {
    if (out.block_count == kMaxReportBlocks) return;
    ReportBlock& block = out.blocks[out.block_count++];
    block.ssrc = load32(body);
    block.fraction_lost = body[4];
    // §6.4.1: cumulative lost is a signed 24-bit integer.
    std::int32_t lost = static_cast<std::int32_t>(load32(body + 4) & 0x00FFFFFF);
    if ((lost & 0x00800000) != 0) lost -= 0x01000000;
    block.cumulative_lost = lost;
    block.highest_sequence = load32(body + 8);
    block.jitter = load32(body + 12);
    block.last_sr = load32(body + 16);
    block.delay_since_last_sr = load32(body + 20);
  }
}

bool parse_report(std::uint8_t type, std::size_t count, std::span<const std::uint8_t> body,
                  RtcpCompound& out, bool& have_report) {
  const std::size_t fixed = 4 + (type == kSr ? kSenderInfoSize : 0);
  if (body.size() < fixed + count * kReportBlockSize) return false;
  if (!have_report) {
    have_report = true;
    out.sender_ssrc = load32(body.data());
  }
  if (type == kSr && !out.sender_info) {
    const std::uint8_t* info = body.data() + 4;
    out.sender_info = SenderInfo{(std::uint64_t{load32(info)} << 32) | load32(info + 4),
                                 load32(info + 8), load32(info + 12), load32(info + 16)};
  }
  read_blocks(body.data() + fixed, count, out);
  return true;
}

// §6.5: chunks of SSRC + items (type, length, text), each list ended by null octets up to
// the next 32-bit boundary. A last chunk that runs out without its terminator is accepted.
bool parse_sdes(std::size_t count, std::span<const std::uint8_t> body, RtcpCompound& out) {
  std::size_t pos = 0;
  for (std::size_t chunk = 0; chunk < count; ++chunk) {
    if (body.size() - pos < 4) return false;
    pos += 4;  // SSRC/CSRC
    while (pos < body.size()) {
      const std::uint8_t type = body[pos];
      if (type == kSdesEnd) {
        pos = (pos + 4) & ~std::size_t{3};  // terminator plus padding (chunks are aligned)
        break;
      }
      if (body.size() - pos < 2) return false;
      const std::size_t length = body[pos + 1];
      if (body.size() - pos - 2 < length) return false;
      if (type == kSdesCname && out.cname.empty()) {
        out.cname = std::string_view(reinterpret_cast<const char*>(body.data() + pos + 2), length);
      }
      pos += 2 + length;
    }
    pos = std::min(pos, body.size());
  }
  return true;
}

// §6.6: SSRC list, then an optional length-prefixed reason.
bool parse_bye(std::size_t count, std::span<const std::uint8_t> body, RtcpCompound& out) {
  if (body.size() < count * 4) return false;
  out.bye = true;
  for (std::size_t i = 0; i < count; ++i) {
    if (out.bye_count < kMaxByeSources)
      out.bye_ssrcs[out.bye_count++] = load32(body.data() + 4 * i);
  }
  const std::size_t rest = body.size() - count * 4;
  if (rest > 0) {
    const std::size_t length = body[count * 4];
    if (rest - 1 < length) return false;
    out.bye_reason =
        std::string_view(reinterpret_cast<const char*>(body.data() + count * 4 + 1), length);
  }
  return true;
}

void write_header(std::uint8_t* p, std::size_t count, std::uint8_t type, std::size_t bytes) {
  p[0] = static_cast<std::uint8_t>(0x80 | count);
  p[1] = type;
  store16(p + 2, static_cast<std::uint16_t>(bytes / 4 - 1));  // §6.4.1: length in words - 1
}

void write_block(std::uint8_t* p, const ReportBlock& block) {
  store32(p, block.ssrc);
  const auto lost =
      static_cast<std::uint32_t>(std::clamp(block.cumulative_lost, -0x800000, 0x7FFFFF));
  store32(p + 4, (std::uint32_t{block.fraction_lost} << 24) | (lost & 0x00FFFFFF));
  store32(p + 8, block.highest_sequence);
  store32(p + 12, block.jitter);
  store32(p + 16, block.last_sr);
  store32(p + 20, block.delay_since_last_sr);
}

constexpr std::size_t padded4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

}  // namespace

std::optional<RtcpCompound> parse_rtcp(std::span<const std::uint8_t> datagram) {
  if (datagram.size() < kHeaderSize) return std::nullopt;
  RtcpCompound compound;
  bool have_report = false;
  std::size_t offset = 0;
  while (offset < datagram.size()) {
    if (datagram.size() - offset < kHeaderSize) return std::nullopt;
    const std::uint8_t* p = datagram.data() + offset;
    if ((p[0] >> 6) != 2) return std::nullopt;
    const bool padding = (p[0] & 0x20) != 0;
    const std::size_t count = p[0] & 0x1F;
    const std::size_t length = (std::size_t{load16(p + 2)} + 1) * 4;
    if (length > datagram.size() - offset) return std::nullopt;
    std::size_t end = length;
    if (padding) {
      // A.2: only the last packet of a compound may be padded.
      if (offset + length != datagram.size()) return std::nullopt;
      const std::size_t pad = p[length - 1];
      if (pad == 0 || pad > length - kHeaderSize) return std::nullopt;
      end -= pad;
    }
    const std::span<const std::uint8_t> body(p + kHeaderSize, end - kHeaderSize);
    bool ok = true;
    switch (p[1]) {
      case kSr:
      case kRr:
        ok = parse_report(p[1], count, body, compound, have_report);
        break;
      case kSdes:
        ok = parse_sdes(count, body, compound);
        break;
      case kBye:
        ok = parse_bye(count, body, compound);
        break;
      default:
        break;  // APP, RTPFB/PSFB, XR: not ours to read
    }
    if (!ok) return std::nullopt;
    offset += length;
  }
  return compound;
}

std::size_t write_rtcp_report(const ReportInput& input, std::span<std::uint8_t> out) {
  if (input.blocks.size() > kMaxReportBlocks || input.cname.empty() || input.cname.size() > 255 ||
      input.bye_reason.size() > 255) {
    return 0;
  }
  const std::size_t report_bytes = kHeaderSize + 4 + (input.sender ? kSenderInfoSize : 0) +
                                   input.blocks.size() * kReportBlockSize;
  // §6.5: item (type, length, text), then at least one null octet, up to a 32-bit boundary.
  const std::size_t sdes_bytes = kHeaderSize + 4 + (2 + input.cname.size()) / 4 * 4 + 4;
  const std::size_t bye_bytes =
      !input.bye
          ? 0
          : kHeaderSize + 4 + (input.bye_reason.empty() ? 0 : padded4(1 + input.bye_reason.size()));
  const std::size_t total = report_bytes + sdes_bytes + bye_bytes;
  if (out.size() < total) return 0;
  std::fill_n(out.begin(), total, std::uint8_t{0});

  std::uint8_t* p = out.data();
  write_header(p, input.blocks.size(), input.sender ? kSr : kRr, report_bytes);
  store32(p + 4, input.ssrc);
  std::uint8_t* q = p + 8;
  if (input.sender) {
    store32(q, static_cast<std::uint32_t>(input.sender->ntp_timestamp >> 32));
    store32(q + 4, static_cast<std::uint32_t>(input.sender->ntp_timestamp));
    store32(q + 8, input.sender->rtp_timestamp);
    store32(q + 12, input.sender->packet_count);
    store32(q + 16, input.sender->octet_count);
    q += kSenderInfoSize;
  }
  for (const ReportBlock& block : input.blocks) {
    write_block(q, block);
    q += kReportBlockSize;
  }

  p += report_bytes;
  write_header(p, 1, kSdes, sdes_bytes);
  store32(p + 4, input.ssrc);
  p[8] = kSdesCname;
  p[9] = static_cast<std::uint8_t>(input.cname.size());
  std::copy(input.cname.begin(), input.cname.end(), p + 10);

  if (input.bye) {
    p += sdes_bytes;
    write_header(p, 1, kBye, bye_bytes);
    store32(p + 4, input.ssrc);
    if (!input.bye_reason.empty()) {
      p[8] = static_cast<std::uint8_t>(input.bye_reason.size());
      std::copy(input.bye_reason.begin(), input.bye_reason.end(), p + 9);
    }
  }
  return total;
}

std::uint64_t ntp_timestamp(std::chrono::system_clock::time_point time) {
  constexpr std::uint64_t kUnixToNtpSeconds = 2208988800ULL;  // 1900-01-01 to 1970-01-01
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  const auto count = static_cast<std::uint64_t>(ns.count());
  const std::uint64_t seconds = count / 1'000'000'000ULL + kUnixToNtpSeconds;
  const std::uint64_t fraction = ((count % 1'000'000'000ULL) << 32) / 1'000'000'000ULL;
  return (seconds << 32) | fraction;
}

std::optional<std::uint32_t> round_trip_time(std::uint32_t arrival_ntp_middle,
                                             const ReportBlock& block) {
  if (block.last_sr == 0) return std::nullopt;  // §6.4.1: no SR received yet
  const std::uint32_t since_sr = arrival_ntp_middle - block.last_sr;
  if (since_sr < block.delay_since_last_sr || since_sr >= 0x80000000u) return std::nullopt;
  return since_sr - block.delay_since_last_sr;
}

std::optional<double> round_trip_ms(std::uint32_t arrival_ntp_middle, const ReportBlock& block) {
  const auto rtt = round_trip_time(arrival_ntp_middle, block);
  if (!rtt) return std::nullopt;
  return *rtt * 1000.0 / 65536.0;
}

}  // namespace irisx::voice::media
