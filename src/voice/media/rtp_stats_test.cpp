#include "voice/media/rtp_stats.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace irisx::voice::media {
namespace {

constexpr std::uint32_t kSsrc = 0xABCD;

// Feeds packets of a 20 ms stream: sequence i has timestamp 160 i and arrives on time plus
// `delay(i)` timestamp units.
struct Stream {
  ReceiverStats stats;
  std::uint16_t first_seq = 1000;
  std::uint32_t first_ts = 5000;

  void packet(int i, std::uint32_t delay = 0, std::uint32_t ssrc = kSsrc) {
    const auto ts = first_ts + 160u * static_cast<std::uint32_t>(i);
    stats.update(RtpHeader{false, 0, static_cast<std::uint16_t>(first_seq + i), ts, ssrc},
                 ts + 777 + delay, 160);
  }
};

TEST(RtpStats, InOrderStreamHasNoLoss) {
  Stream s;
  for (int i = 0; i < 100; ++i) s.packet(i);
  EXPECT_TRUE(s.stats.valid());
  EXPECT_EQ(s.stats.packets_received(), 100u);
  EXPECT_EQ(s.stats.octets_received(), 16000u);
  EXPECT_EQ(s.stats.lost(), 0);
  // A.1 probation: the first packet validates the source and is not counted.
  EXPECT_EQ(s.stats.expected(), 99);
  const auto block = s.stats.make_report_block(kSsrc);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.highest_sequence, 1099u);
  EXPECT_EQ(block.jitter, 0u);
  const auto q = s.stats.summary();
  EXPECT_EQ(q.packets_lost, 0u);
  EXPECT_DOUBLE_EQ(q.loss_percent, 0);
  EXPECT_NEAR(q.mos, 4.4, 0.05);
}

TEST(RtpStats, LossIsCountedAndFractionLostIsPerInterval) {
  Stream s;
  for (int i = 0; i < 101; ++i) {
    if (i % 10 != 5) s.packet(i);  // 10 lost
  }
  EXPECT_EQ(s.stats.lost(), 10);
  auto block = s.stats.make_report_block(kSsrc);
  EXPECT_EQ(block.cumulative_lost, 10);
  EXPECT_EQ(block.fraction_lost, 10 * 256 / 100);
  for (int i = 101; i < 201; ++i) s.packet(i);  // a clean interval
  block = s.stats.make_report_block(kSsrc);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 10);
  const auto q = s.stats.summary();
  EXPECT_EQ(q.packets_lost, 10u);
  EXPECT_NEAR(q.loss_percent, 5.0, 0.01);
}

TEST(RtpStats, ReorderedPacketsAreNotLost) {
  Stream s;
  for (int i : {0, 1, 2, 4, 3, 5, 7, 6, 8}) s.packet(i);
  EXPECT_EQ(s.stats.lost(), 0);
  EXPECT_EQ(s.stats.out_of_order(), 2u);
  EXPECT_EQ(s.stats.duplicates(), 0u);
}

TEST(RtpStats, DuplicatesAreCountedButDoNotHideLoss) {
  Stream s;
  for (int i : {0, 1, 2, 3, 3, 5, 2, 6}) s.packet(i);  // 4 lost, 3 and 2 duplicated
  EXPECT_EQ(s.stats.duplicates(), 2u);
  EXPECT_EQ(s.stats.lost(), -1);  // RFC 3550 A.3: duplicates count as received
  EXPECT_EQ(s.stats.summary().packets_lost, 1u);
}

TEST(RtpStats, SequenceWrapAddsACycle) {
  Stream s;
  s.first_seq = 65530;
  for (int i = 0; i < 20; ++i) s.packet(i);
  EXPECT_EQ(s.stats.extended_highest_sequence(), 65536u + 13u);
  EXPECT_EQ(s.stats.lost(), 0);
  EXPECT_EQ(s.stats.expected(), 19);
}

TEST(RtpStats, AJumpIsBelievedOnlyWhenTheNextPacketFollowsIt) {
  Stream s;
  for (int i = 0; i < 10; ++i) s.packet(i);
  s.packet(20000);  // stray
  EXPECT_EQ(s.stats.lost(), 0);
  s.packet(10);
  s.packet(30000);
  s.packet(30001);  // the sender restarted its sequence: A.1 resyncs
  EXPECT_EQ(s.stats.extended_highest_sequence(), static_cast<std::uint16_t>(1000 + 30001));
  EXPECT_EQ(s.stats.lost(), 0);
  EXPECT_EQ(s.stats.summary().packets_lost, 0u);
}

TEST(RtpStats, AnSsrcChangeRestartsTheSourceButKeepsCallTotals) {
  Stream s;
  for (int i = 0; i < 50; ++i) {
    if (i != 20) s.packet(i);
  }
  s.first_seq = 7;
  for (int i = 0; i < 50; ++i) {
    if (i != 30) s.packet(i, 0, 0x5555);
  }
  EXPECT_EQ(s.stats.ssrc(), 0x5555u);
  EXPECT_EQ(s.stats.lost(), 1);  // the new source only
  EXPECT_EQ(s.stats.summary().packets_lost, 2u);
  EXPECT_EQ(s.stats.packets_received(), 98u);
}

TEST(RtpStats, ConstantRateStreamHasZeroJitter) {
  Stream s;
  for (int i = 0; i < 500; ++i) s.packet(i, 1234);
  EXPECT_EQ(s.stats.jitter(), 0u);
  EXPECT_DOUBLE_EQ(s.stats.summary().jitter_ms, 0);
}

TEST(RtpStats, AlternatingDelayConvergesToThatDelay) {
  // Every other packet 10 ms late: each transit difference is 80 units, so J → 80 (A.8).
  Stream s;
  for (int i = 0; i < 500; ++i) s.packet(i, i % 2 == 0 ? 0 : 80);
  EXPECT_NEAR(s.stats.jitter(), 80, 2);
  const auto q = s.stats.summary();
  EXPECT_NEAR(q.jitter_ms, 10, 0.3);
  EXPECT_GE(q.max_jitter_ms, q.jitter_ms);
}

TEST(RtpStats, RepeatedTimestampsDoNotAddJitter) {
  ReceiverStats stats;
  // Telephone-event updates: same timestamp, arriving 20 ms apart.
  for (std::uint16_t i = 0; i < 20; ++i)
    stats.update(RtpHeader{false, 101, i, 8000, 1}, 9000 + 160u * i);
  EXPECT_EQ(stats.jitter(), 0u);
}

TEST(RtpStats, ReportBlockCarriesLsrAndDlsr) {
  Stream s;
  for (int i = 0; i < 10; ++i) s.packet(i);
  EXPECT_EQ(s.stats.make_report_block(kSsrc, 0).last_sr, 0u);
  s.stats.on_sender_report(0x0000'1234'5678'0000ULL, 16000);
  const auto block = s.stats.make_report_block(kSsrc, 16000 + 4000);  // 0.5 s later
  EXPECT_EQ(block.last_sr, 0x12345678u);
  EXPECT_EQ(block.delay_since_last_sr, 32768u);
}

TEST(RtpStats, MosFallsWithLossAndDelay) {
  EXPECT_NEAR(estimate_mos(0, 0), 4.41, 0.01);
  double previous = estimate_mos(0, 0);
  for (double loss : {0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) {
    const double mos = estimate_mos(loss, 0);
    EXPECT_LT(mos, previous) << loss;
    previous = mos;
  }
  EXPECT_LT(estimate_mos(0, 300), estimate_mos(0, 100));
  EXPECT_GE(estimate_mos(100, 1000), 1.0);
  Stream s;
  for (int i = 0; i < 100; ++i) s.packet(i);
  EXPECT_LT(s.stats.summary(400, 40).mos, s.stats.summary().mos);
}

TEST(RtpStats, NothingReceivedGivesAnEmptyReport) {
  ReceiverStats stats;
  const auto block = stats.make_report_block(9);
  EXPECT_EQ(block.ssrc, 9u);
  EXPECT_EQ(block.highest_sequence, 0u);
  EXPECT_EQ(stats.summary().packets_lost, 0u);
}

}  // namespace
}  // namespace irisx::voice::media
