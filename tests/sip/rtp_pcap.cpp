#include "sip/rtp_pcap.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <span>

#include "voice/audio/tones.hpp"
#include "voice/media/g711.hpp"

namespace irisx::testing {
namespace {

void put16(std::string& out, std::uint16_t v, bool big_endian) {
  if (big_endian) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
  } else {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(v >> 8));
  }
}

void put32(std::string& out, std::uint32_t v, bool big_endian) {
  if (big_endian) {
    put16(out, static_cast<std::uint16_t>(v >> 16), true);
    put16(out, static_cast<std::uint16_t>(v & 0xffff), true);
  } else {
    put16(out, static_cast<std::uint16_t>(v & 0xffff), false);
    put16(out, static_cast<std::uint16_t>(v >> 16), false);
  }
}

}  // namespace

std::vector<std::int16_t> dtmf_tones(const std::string& digits) {
  std::vector<std::int16_t> out(1600, 0);  // 200 ms of silence
  for (char digit : digits) {
    const auto [f1, f2] = irisx::voice::audio::dtmf_frequencies(digit).value();
    for (int i = 0; i < 800; ++i) {  // 100 ms
      const double t = i / 8000.0;
      const double v = 6000 * std::sin(2 * std::numbers::pi * f1 * t) +
                       6000 * std::sin(2 * std::numbers::pi * f2 * t);
      out.push_back(static_cast<std::int16_t>(v));
    }
    out.insert(out.end(), 800, 0);
  }
  return out;
}

std::string pcmu_pcap(const std::vector<std::int16_t>& samples) {
  std::string out;
  // pcap global header (little-endian): magic, v2.4, tz 0, sigfigs 0, snaplen, Ethernet.
  put32(out, 0xa1b2c3d4, false);
  put16(out, 2, false);
  put16(out, 4, false);
  put32(out, 0, false);
  put32(out, 0, false);
  put32(out, 65535, false);
  put32(out, 1, false);
  std::array<std::uint8_t, 160> payload{};
  std::uint16_t sequence = 1000;
  std::uint32_t timestamp = 16000;
  for (std::size_t offset = 0, n = 0; offset < samples.size(); offset += 160, ++n) {
    std::array<std::int16_t, 160> frame{};
    for (std::size_t i = 0; i < 160 && offset + i < samples.size(); ++i)
      frame[i] = samples[offset + i];
    irisx::voice::media::encode(irisx::voice::Codec::pcmu, frame, payload);
    const std::uint32_t udp_length = 8 + 12 + 160;
    const std::uint32_t ip_length = 20 + udp_length;
    const std::uint32_t frame_length = 14 + ip_length;
    const std::uint64_t micros = n * 20000;
    put32(out, static_cast<std::uint32_t>(micros / 1000000), false);
    put32(out, static_cast<std::uint32_t>(micros % 1000000), false);
    put32(out, frame_length, false);
    put32(out, frame_length, false);
    out.append(12, '\0');  // MAC addresses
    put16(out, 0x0800, true);
    // IPv4 header, 127.0.0.1 → 127.0.0.1 (checksum left 0: SIPp rewrites and sends).
    out.push_back(0x45);
    out.push_back(0);
    put16(out, static_cast<std::uint16_t>(ip_length), true);
    put32(out, 0, true);
    out.push_back(64);
    out.push_back(17);
    put16(out, 0, true);
    put32(out, 0x7f000001, true);
    put32(out, 0x7f000001, true);
    // UDP
    put16(out, 40000, true);
    put16(out, 40002, true);
    put16(out, static_cast<std::uint16_t>(udp_length), true);
    put16(out, 0, true);
    // RTP
    out.push_back(static_cast<char>(0x80));
    out.push_back(static_cast<char>(n == 0 ? 0x80 : 0x00));
    put16(out, sequence++, true);
    put32(out, timestamp, true);
    timestamp += 160;
    put32(out, 0x1234abcd, true);
    out.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  }
  return out;
}

}  // namespace irisx::testing
