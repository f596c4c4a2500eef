#include "voice/media/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace irisx::voice::media {
namespace {

using Kind = JitterBuffer::Playout::Kind;
using Result = JitterBuffer::PushResult;

// Frames carry their sequence number's low byte as payload, so playout order is visible.
Result push(JitterBuffer& jb, std::uint16_t seq, bool marker = false, std::uint32_t ssrc = 1) {
  std::array<std::uint8_t, 160> payload{};
  payload.fill(static_cast<std::uint8_t>(seq));
  return jb.push(RtpHeader{marker, 0, seq, 160u * seq, ssrc}, payload);
}

// One character per pop: the frame's seq as a number, '-' for a gap, '.' for empty.
std::string drain(JitterBuffer& jb, int pops) {
  std::string out;
  for (int i = 0; i < pops; ++i) {
    const auto p = jb.pop();
    if (p.kind == Kind::frame) {
      EXPECT_EQ(p.payload.size(), 160u);
      EXPECT_EQ(p.payload[0], static_cast<std::uint8_t>(p.header.sequence));
      out += std::to_string(p.header.sequence % 100);
    } else {
      out += p.kind == Kind::gap ? "-" : ".";
    }
    out += ' ';
  }
  return out;
}

TEST(JitterBuffer, WaitsForTheTargetDepthThenPlaysInOrder) {
  JitterBuffer jb(2);
  EXPECT_EQ(push(jb, 10), Result::accepted);
  EXPECT_EQ(drain(jb, 1), ". ");
  push(jb, 11);
  push(jb, 12);
  EXPECT_EQ(drain(jb, 3), "10 11 12 ");
  EXPECT_EQ(jb.size(), 0u);
}

TEST(JitterBuffer, ReordersWithinTheDepth) {
  JitterBuffer jb(3);
  for (std::uint16_t seq : {21, 20, 23, 22, 24}) EXPECT_EQ(push(jb, seq), Result::accepted);
  EXPECT_EQ(drain(jb, 5), "20 21 22 23 24 ");
}

TEST(JitterBuffer, ALostFrameIsAGap) {
  JitterBuffer jb(2);
  for (std::uint16_t seq : {1, 2, 4, 5}) push(jb, seq);
  EXPECT_EQ(drain(jb, 4), "1 2 - 4 ");
  EXPECT_EQ(jb.counters().gaps, 1u);
}

TEST(JitterBuffer, RejectsDuplicatesAndLatePackets) {
  JitterBuffer jb(2);
  push(jb, 1);
  push(jb, 2);
  EXPECT_EQ(push(jb, 2), Result::duplicate);
  EXPECT_EQ(drain(jb, 2), "1 2 ");
  EXPECT_EQ(push(jb, 1), Result::late);  // already played
  push(jb, 4);
  push(jb, 5);
  EXPECT_EQ(drain(jb, 1), "- ");
  EXPECT_EQ(push(jb, 3), Result::late);  // its turn passed as a gap
  EXPECT_EQ(drain(jb, 2), "4 5 ");
  EXPECT_EQ(jb.counters().duplicates, 1u);
  EXPECT_EQ(jb.counters().late, 2u);
}

TEST(JitterBuffer, SequenceNumbersWrap) {
  JitterBuffer jb(2);
  for (std::uint16_t seq : {65534, 65535, 0, 1}) EXPECT_EQ(push(jb, seq), Result::accepted);
  EXPECT_EQ(push(jb, 65533), Result::accepted);  // still filling: goes first
  EXPECT_EQ(drain(jb, 5), "33 34 35 0 1 ");
  EXPECT_EQ(push(jb, 65535), Result::late);
}

TEST(JitterBuffer, ABurstBeyondTheWindowKeepsTheNewestFrames) {
  JitterBuffer jb(2);
  for (std::uint16_t seq = 100; seq < 100 + 20; ++seq) EXPECT_EQ(push(jb, seq), Result::accepted);
  EXPECT_EQ(jb.size(), JitterBuffer::kCapacity);
  EXPECT_EQ(jb.counters().dropped, 4u);
  EXPECT_EQ(drain(jb, 1), "4 ");  // seq 104
}

TEST(JitterBuffer, UnderrunRebuffersAndSkipsSilenceSuppressedFrames) {
  JitterBuffer jb(2);
  push(jb, 1);
  push(jb, 2);
  EXPECT_EQ(drain(jb, 4), "1 2 . . ");
  EXPECT_EQ(jb.counters().underruns, 1u);
  // The next talkspurt continues the sequence; its timestamp jumped (RFC 3551 §4.1 marker).
  push(jb, 3, true);
  EXPECT_EQ(drain(jb, 1), ". ");
  push(jb, 4);
  EXPECT_EQ(drain(jb, 2), "3 4 ");
}

TEST(JitterBuffer, ALargeJumpOrMarkerBehindResyncs) {
  JitterBuffer jb(2);
  for (std::uint16_t seq : {1, 2, 3}) push(jb, seq);
  EXPECT_EQ(drain(jb, 2), "1 2 ");
  EXPECT_EQ(push(jb, 5000), Result::accepted);  // far ahead: the sender restarted
  EXPECT_EQ(jb.counters().resyncs, 1u);
  EXPECT_EQ(jb.size(), 1u);
  push(jb, 5001);
  EXPECT_EQ(drain(jb, 2), "0 1 ");
  EXPECT_EQ(push(jb, 4990, true), Result::accepted);  // a new talkspurt behind us
  EXPECT_EQ(jb.counters().resyncs, 2u);
  push(jb, 4991);
  EXPECT_EQ(drain(jb, 2), "90 91 ");
  EXPECT_EQ(push(jb, 4980), Result::late);  // no marker: just late
  EXPECT_EQ(jb.counters().resyncs, 2u);
}

TEST(JitterBuffer, ANewSsrcStartsOver) {
  JitterBuffer jb(2);
  push(jb, 1);
  push(jb, 2);
  push(jb, 3);
  EXPECT_EQ(push(jb, 900, false, 2), Result::accepted);
  EXPECT_EQ(jb.size(), 1u);
  push(jb, 901, false, 2);
  EXPECT_EQ(drain(jb, 2), "0 1 ");
}

TEST(JitterBuffer, RejectsOversizedPayloads) {
  JitterBuffer jb(1);
  std::array<std::uint8_t, JitterBuffer::kMaxFrameBytes + 1> big{};
  EXPECT_EQ(jb.push(RtpHeader{false, 0, 1, 0, 1}, big), Result::too_large);
  EXPECT_EQ(jb.push(RtpHeader{false, 0, 1, 0, 1}, std::span(big).first(0)), Result::accepted);
  const auto p = jb.pop();
  EXPECT_EQ(p.kind, Kind::frame);
  EXPECT_TRUE(p.payload.empty());
}

TEST(JitterBuffer, TargetDepthIsClamped) {
  EXPECT_EQ(JitterBuffer(0).target_depth(), 1u);
  EXPECT_EQ(JitterBuffer(100).target_depth(), JitterBuffer::kCapacity - 1);
}

}  // namespace
}  // namespace irisx::voice::media
