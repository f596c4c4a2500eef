#include "voice/media/rtcp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace irisx::voice::media {
namespace {

ReportBlock sample_block() {
  return ReportBlock{0x11223344, 25, -3, 0x0001FFFF, 120, 0xAABBCCDD, 65536};
}

std::vector<std::uint8_t> write(const ReportInput& input) {
  std::vector<std::uint8_t> out(1500);
  out.resize(write_rtcp_report(input, out));
  return out;
}

TEST(Rtcp, SenderReportRoundTrips) {
  const std::array blocks{sample_block()};
  ReportInput input;
  input.ssrc = 0xCAFE;
  input.sender = SenderInfo{0x0102030405060708ULL, 16000, 50, 8000};
  input.blocks = blocks;
  input.cname = "leg-1@irisx";
  const auto bytes = write(input);
  ASSERT_EQ(bytes.size() % 4, 0u);
  ASSERT_EQ(bytes.size(), 52u + 24u);  // SR with one block, SDES with an 11-byte CNAME
  EXPECT_EQ(bytes[0], 0x81);
  EXPECT_EQ(bytes[1], 200);

  const auto compound = parse_rtcp(bytes);
  ASSERT_TRUE(compound);
  EXPECT_EQ(compound->sender_ssrc, 0xCAFEu);
  ASSERT_TRUE(compound->sender_info);
  EXPECT_EQ(compound->sender_info->ntp_timestamp, 0x0102030405060708ULL);
  EXPECT_EQ(compound->sender_info->rtp_timestamp, 16000u);
  EXPECT_EQ(compound->sender_info->packet_count, 50u);
  EXPECT_EQ(compound->sender_info->octet_count, 8000u);
  ASSERT_EQ(compound->reports().size(), 1u);
  const auto& block = compound->reports()[0];
  EXPECT_EQ(block.ssrc, 0x11223344u);
  EXPECT_EQ(block.fraction_lost, 25);
  EXPECT_EQ(block.cumulative_lost, -3);
  EXPECT_EQ(block.highest_sequence, 0x0001FFFFu);
  EXPECT_EQ(block.jitter, 120u);
  EXPECT_EQ(block.last_sr, 0xAABBCCDDu);
  EXPECT_EQ(block.delay_since_last_sr, 65536u);
  EXPECT_EQ(compound->cname, "leg-1@irisx");
  EXPECT_FALSE(compound->bye);
}

TEST(Rtcp, ReceiverReportWithByeRoundTrips) {
  ReportInput input;
  input.ssrc = 7;
  input.cname = "abcd";  // 2 + 4 bytes of item: padded to 8 with two nulls
  input.bye = true;
  input.bye_reason = "hangup";
  const auto bytes = write(input);
  ASSERT_EQ(bytes.size(), 8u + 16u + 16u);
  EXPECT_EQ(bytes[1], 201);
  const auto compound = parse_rtcp(bytes);
  ASSERT_TRUE(compound);
  EXPECT_FALSE(compound->sender_info);
  EXPECT_TRUE(compound->reports().empty());
  EXPECT_EQ(compound->cname, "abcd");
  EXPECT_TRUE(compound->bye);
  ASSERT_EQ(compound->bye_count, 1u);
  EXPECT_EQ(compound->bye_ssrcs[0], 7u);
  EXPECT_EQ(compound->bye_reason, "hangup");
}

TEST(Rtcp, WriteEnforcesTheCnameAndBufferSize) {
  ReportInput input;
  input.ssrc = 1;
  std::array<std::uint8_t, 64> out{};
  EXPECT_EQ(write_rtcp_report(input, out), 0u);  // §6.1: CNAME is mandatory
  input.cname = "x";
  EXPECT_EQ(write_rtcp_report(input, std::span(out).first(19)), 0u);
  EXPECT_EQ(write_rtcp_report(input, out), 20u);  // RR 8 + SDES 12
  const std::vector<ReportBlock> too_many(32);
  input.blocks = too_many;
  EXPECT_EQ(write_rtcp_report(input, out), 0u);
}

TEST(Rtcp, CnameLengthsPadWithAtLeastOneNull) {
  for (std::size_t n = 1; n <= 12; ++n) {
    const std::string cname(n, 'c');
    ReportInput input;
    input.cname = cname;
    const auto bytes = write(input);
    ASSERT_EQ(bytes.size() % 4, 0u);
    EXPECT_EQ(bytes.back(), 0) << n;
    const auto compound = parse_rtcp(bytes);
    ASSERT_TRUE(compound) << n;
    EXPECT_EQ(compound->cname, cname);
  }
}

TEST(Rtcp, SkipsUnknownPacketTypes) {
  ReportInput input;
  input.cname = "me";
  auto bytes = write(input);
  // An APP packet (§6.7): header, SSRC, name, no data.
  const std::array<std::uint8_t, 12> app{0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 'T', 'E', 'S', 'T'};
  bytes.insert(bytes.end(), app.begin(), app.end());
  const auto compound = parse_rtcp(bytes);
  ASSERT_TRUE(compound);
  EXPECT_EQ(compound->cname, "me");
}

TEST(Rtcp, RejectsMalformedCompounds) {
  const std::array blocks{sample_block(), sample_block()};
  ReportInput input;
  input.sender = SenderInfo{};
  input.blocks = blocks;
  input.cname = "abc";
  const auto good = write(input);
  ASSERT_TRUE(parse_rtcp(good));
  EXPECT_FALSE(parse_rtcp({}));
  constexpr std::size_t kSrSize = 28 + 2 * 24;  // a compound of the SR alone is valid
  for (std::size_t cut = 1; cut < good.size(); ++cut) {
    if (cut != kSrSize) {
      EXPECT_FALSE(parse_rtcp(std::span(good).first(cut))) << cut;
    }
  }
  auto bad = good;
  bad[0] = 0x42;  // version 1
  EXPECT_FALSE(parse_rtcp(bad));
  bad = good;
  bad[0] = 0x83;  // claims 3 blocks in a packet sized for 2
  EXPECT_FALSE(parse_rtcp(bad));
  bad = good;
  bad[0] |= 0x20;  // padding on the first packet of the compound
  EXPECT_FALSE(parse_rtcp(bad));
  bad = good;
  bad[3] = 0xFF;  // length past the end
  EXPECT_FALSE(parse_rtcp(bad));
}

TEST(Rtcp, AcceptsPaddingOnTheLastPacket) {
  // RR with SSRC, padded by 4 bytes (count 4 in the last byte).
  const std::array<std::uint8_t, 12> rr{0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};
  const auto compound = parse_rtcp(rr);
  ASSERT_TRUE(compound);
  EXPECT_EQ(compound->sender_ssrc, 9u);
  auto bad = rr;
  bad[11] = 9;  // more padding than the packet's body
  EXPECT_FALSE(parse_rtcp(bad));
  bad[11] = 0;
  EXPECT_FALSE(parse_rtcp(bad));
}

TEST(Rtcp, RoundTripTimeIsArrivalMinusLsrMinusDlsr) {
  ReportBlock block;
  EXPECT_FALSE(round_trip_time(1000, block));  // no SR yet
  block.last_sr = 0x00010000;                  // 1 s
  block.delay_since_last_sr = 0x00008000;      // 0.5 s
  EXPECT_EQ(round_trip_time(0x00019999, block), 0x1999u);
  EXPECT_NEAR(*round_trip_ms(0x00019999, block), 100.0, 0.01);
  EXPECT_FALSE(round_trip_time(0x00017000, block));  // negative
  block.last_sr = 0xFFFFF000;                        // the middle 32 bits wrap
  block.delay_since_last_sr = 0x100;
  EXPECT_EQ(round_trip_time(0x00000100, block), 0x1000u);
}

TEST(Rtcp, NtpTimestampOfKnownTimes) {
  using namespace std::chrono;
  EXPECT_EQ(ntp_timestamp(system_clock::time_point{}), 2208988800ULL << 32);
  const auto half = system_clock::time_point{milliseconds(500)};
  EXPECT_EQ(ntp_timestamp(half), (2208988800ULL << 32) | 0x80000000ULL);
  EXPECT_EQ(ntp_middle32(0x0000'1234'5678'0000ULL), 0x12345678u);
}

}  // namespace
}  // namespace irisx::voice::media
