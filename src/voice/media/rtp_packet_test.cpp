#include "voice/media/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace irisx::voice::media {
namespace {

std::vector<std::uint8_t> sample_packet() {
  // V=2, M=1, PT=0, seq 0x1234, ts 0x01020304, SSRC 0xDEADBEEF, 3 payload bytes.
  return {0x80, 0x80, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0xAA, 0xBB, 0xCC};
}

TEST(RtpPacket, ParsesTheFixedHeader) {
  const auto bytes = sample_packet();
  const auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->header.marker);
  EXPECT_EQ(packet->header.payload_type, 0);
  EXPECT_EQ(packet->header.sequence, 0x1234);
  EXPECT_EQ(packet->header.timestamp, 0x01020304u);
  EXPECT_EQ(packet->header.ssrc, 0xDEADBEEFu);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[0], 0xAA);
  EXPECT_EQ(packet->payload.data(), bytes.data() + 12);  // a view, not a copy
}

TEST(RtpPacket, RejectsOtherVersionsAndShortDatagrams) {
  auto bytes = sample_packet();
  bytes[0] = 0x40;  // version 1
  EXPECT_FALSE(parse_rtp(bytes));
  bytes = sample_packet();
  EXPECT_FALSE(parse_rtp(std::span(bytes).first(11)));
  EXPECT_FALSE(parse_rtp({}));
  EXPECT_TRUE(parse_rtp(std::span(bytes).first(12)));  // an empty payload is valid
}

TEST(RtpPacket, SkipsCsrcsAndRejectsATruncatedList) {
  std::vector<std::uint8_t> bytes = sample_packet();
  bytes[0] = 0x82;  // CC=2
  const std::array<std::uint8_t, 8> csrcs{1, 2, 3, 4, 5, 6, 7, 8};
  bytes.insert(bytes.begin() + 12, csrcs.begin(), csrcs.end());
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[0], 0xAA);
  EXPECT_FALSE(parse_rtp(std::span(bytes).first(19)));
}

TEST(RtpPacket, SkipsAHeaderExtensionAndChecksItsLength) {
  std::vector<std::uint8_t> bytes = sample_packet();
  bytes[0] = 0x90;  // X=1
  const std::array<std::uint8_t, 8> ext{0xBE, 0xDE, 0x00, 0x01, 0x10, 0x20, 0x30, 0x40};
  bytes.insert(bytes.begin() + 12, ext.begin(), ext.end());
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[0], 0xAA);
  bytes[15] = 0x09;  // claims 9 words, only 4 bytes + payload follow
  EXPECT_FALSE(parse_rtp(bytes));
  EXPECT_FALSE(parse_rtp(std::span(bytes).first(14)));  // extension header itself truncated
}

TEST(RtpPacket, RemovesPaddingAndRejectsImpossibleCounts) {
  std::vector<std::uint8_t> bytes = sample_packet();
  bytes[0] = 0xA0;  // P=1
  bytes.insert(bytes.end(), {0x00, 0x00, 0x03});
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->payload.size(), 3u);
  bytes.back() = 0;  // a count of zero cannot include itself
  EXPECT_FALSE(parse_rtp(bytes));
  bytes.back() = 7;  // more than the 6 bytes after the header
  EXPECT_FALSE(parse_rtp(bytes));
  bytes.back() = 6;  // all of them: empty payload
  packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacket, WriteThenParseRoundTrips) {
  const RtpHeader header{true, 8, 65535, 0xFFFFFFF0u, 42};
  std::array<std::uint8_t, 160> payload{};
  payload.fill(0xD5);
  std::array<std::uint8_t, 172> out{};
  ASSERT_EQ(write_rtp(header, payload, out), 172u);
  const auto packet = parse_rtp(out);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->header.marker);
  EXPECT_EQ(packet->header.payload_type, 8);
  EXPECT_EQ(packet->header.sequence, 65535);
  EXPECT_EQ(packet->header.timestamp, 0xFFFFFFF0u);
  EXPECT_EQ(packet->header.ssrc, 42u);
  EXPECT_EQ(packet->payload.size(), 160u);
  EXPECT_FALSE(looks_like_rtcp(out));
}

TEST(RtpPacket, WriteRefusesABufferThatIsTooSmall) {
  std::array<std::uint8_t, 4> payload{};
  std::array<std::uint8_t, 15> out{};
  EXPECT_EQ(write_rtp(RtpHeader{}, payload, out), 0u);
  EXPECT_EQ(write_rtp(RtpHeader{}, std::span(payload).first(3), out), 15u);
}

TEST(RtpPacket, RtcpMuxDemultiplexesOnTheSecondOctet) {
  std::array<std::uint8_t, 8> rr{0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_TRUE(looks_like_rtcp(rr));
  for (int type : {200, 202, 203, 204, 205, 206}) {
    rr[1] = static_cast<std::uint8_t>(type);
    EXPECT_TRUE(looks_like_rtcp(rr)) << type;
  }
  rr[1] = 0x80 | 0;  // PCMU with marker bit
  EXPECT_FALSE(looks_like_rtcp(rr));
  rr[1] = 101;  // telephone-event
  EXPECT_FALSE(looks_like_rtcp(rr));
  rr[1] = 0x80 | 101;
  EXPECT_FALSE(looks_like_rtcp(rr));
  rr[1] = 200;
  rr[0] = 0x40;
  EXPECT_FALSE(looks_like_rtcp(rr));
  EXPECT_FALSE(looks_like_rtcp(std::span(rr).first(4)));
}

}  // namespace
}  // namespace irisx::voice::media
