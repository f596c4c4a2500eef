#include "voice/media/telephone_event.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace irisx::voice::media {
namespace {

struct Packet {
  RtpHeader header;
  std::array<std::uint8_t, 4> payload{};
};

// A SIPp-style RFC 2833 press: marker start, `updates` growing durations, 3 end packets.
std::vector<Packet> press(int event, std::uint32_t timestamp, std::uint16_t first_seq,
                          int updates = 10) {
  std::vector<Packet> packets;
  std::uint16_t seq = first_seq;
  auto add = [&](bool marker, bool end, int duration) {
    Packet p;
    p.header = RtpHeader{marker, 101, seq++, timestamp, 0x1234};
    write_telephone_event(TelephoneEvent{static_cast<std::uint8_t>(event), end, 10,
                                         static_cast<std::uint16_t>(duration)},
                          p.payload);
    packets.push_back(p);
  };
  add(true, false, 160);
  for (int i = 2; i <= updates; ++i) add(false, false, 160 * i);
  for (int i = 0; i < 3; ++i) add(false, true, 160 * (updates + 1));
  return packets;
}

std::string feed(DtmfReceiver& receiver, const std::vector<Packet>& packets) {
  std::string digits;
  for (const auto& p : packets) {
    if (auto digit = receiver.on_packet(p.header, p.payload)) digits += *digit;
  }
  return digits;
}

TEST(TelephoneEvent, PayloadRoundTripsAllFields) {
  std::array<std::uint8_t, 4> bytes{};
  ASSERT_EQ(write_telephone_event(TelephoneEvent{11, true, 63, 0xABCD}, bytes), 4u);
  EXPECT_EQ(bytes, (std::array<std::uint8_t, 4>{11, 0xBF, 0xAB, 0xCD}));
  const auto event = parse_telephone_event(bytes);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->event, 11);
  EXPECT_TRUE(event->end);
  EXPECT_EQ(event->volume, 63);
  EXPECT_EQ(event->duration, 0xABCD);
}

TEST(TelephoneEvent, ParseIgnoresTheReservedBitAndRejectsShortPayloads) {
  const std::array<std::uint8_t, 4> bytes{5, 0x40 | 7, 0x01, 0x40};
  const auto event = parse_telephone_event(bytes);
  ASSERT_TRUE(event);
  EXPECT_FALSE(event->end);
  EXPECT_EQ(event->volume, 7);
  EXPECT_EQ(event->duration, 320);
  EXPECT_FALSE(parse_telephone_event(std::span(bytes).first(3)));
  std::array<std::uint8_t, 3> small{};
  EXPECT_EQ(write_telephone_event(TelephoneEvent{}, small), 0u);
}

TEST(TelephoneEvent, DigitsMapBothWays) {
  const std::string all = "0123456789*#ABCD";
  for (int e = 0; e < 16; ++e) {
    EXPECT_EQ(event_to_digit(e), all[static_cast<std::size_t>(e)]);
    EXPECT_EQ(digit_to_event(all[static_cast<std::size_t>(e)]), e);
  }
  EXPECT_EQ(digit_to_event('b'), 13);
  EXPECT_EQ(event_to_digit(16), '\0');
  EXPECT_EQ(event_to_digit(-1), '\0');
  EXPECT_FALSE(digit_to_event('E'));
  EXPECT_FALSE(digit_to_event(' '));
}

TEST(TelephoneEvent, ASipPStylePressYieldsOneDigit) {
  DtmfReceiver receiver;
  EXPECT_EQ(feed(receiver, press(5, 8000, 100)), "5");
}

TEST(TelephoneEvent, TheDigitIsReportedOnTheFirstPacket) {
  DtmfReceiver receiver;
  const auto packets = press(11, 8000, 100);
  EXPECT_EQ(receiver.on_packet(packets[0].header, packets[0].payload), '#');
  EXPECT_EQ(receiver.on_packet(packets[1].header, packets[1].payload), std::nullopt);
}

TEST(TelephoneEvent, TwoPressesOfTheSameKeyYieldTwoDigits) {
  DtmfReceiver receiver;
  auto packets = press(1, 8000, 100);
  const auto second = press(1, 8000 + 4000, 130);
  packets.insert(packets.end(), second.begin(), second.end());
  EXPECT_EQ(feed(receiver, packets), "11");
}

TEST(TelephoneEvent, LostFirstPacketsStillYieldTheDigit) {
  DtmfReceiver receiver;
  auto packets = press(7, 8000, 100);
  packets.erase(packets.begin(), packets.begin() + 4);
  EXPECT_EQ(feed(receiver, packets), "7");
}

TEST(TelephoneEvent, OnlyEndPacketsStillYieldTheDigitOnce) {
  DtmfReceiver receiver;
  auto packets = press(9, 8000, 100);
  packets.erase(packets.begin(), packets.end() - 3);
  EXPECT_EQ(feed(receiver, packets), "9");
}

TEST(TelephoneEvent, ReorderedAndLateEndPacketsAreIgnored) {
  DtmfReceiver receiver;
  auto first = press(2, 8000, 100);
  auto second = press(3, 12000, 130);
  std::vector<Packet> packets(first.begin(), first.end() - 2);
  packets.push_back(second[0]);
  packets.push_back(first[first.size() - 1]);  // late retransmitted end of '2'
  packets.push_back(first[first.size() - 2]);
  packets.insert(packets.end(), second.begin() + 1, second.end());
  std::swap(packets[packets.size() - 1], packets[packets.size() - 3]);  // end before an update
  EXPECT_EQ(feed(receiver, packets), "23");
}

TEST(TelephoneEvent, ANewSsrcStartsAfresh) {
  DtmfReceiver receiver;
  auto first = press(4, 8000, 100);
  auto replay = press(4, 8000, 500);
  for (auto& p : replay) p.header.ssrc = 0x9999;
  EXPECT_EQ(feed(receiver, first), "4");
  EXPECT_EQ(feed(receiver, replay), "4");
}

TEST(TelephoneEvent, ATimestampRestartFarBehindIsANewPress) {
  DtmfReceiver receiver(8000);
  EXPECT_EQ(feed(receiver, press(6, 800000, 100)), "6");
  EXPECT_EQ(feed(receiver, press(6, 1000, 200)), "6");
  EXPECT_EQ(feed(receiver, press(6, 1000u - 4000u, 300)), "");  // within the late window
}

TEST(TelephoneEvent, LongEventSegmentsAreOnePress) {
  DtmfReceiver receiver;
  Packet p;
  p.header = RtpHeader{true, 101, 1, 1000, 7};
  write_telephone_event(TelephoneEvent{0, false, 10, 0xFFFF}, p.payload);
  EXPECT_EQ(receiver.on_packet(p.header, p.payload), '0');
  p.header = RtpHeader{false, 101, 2, 1000 + 0xFFFF, 7};
  write_telephone_event(TelephoneEvent{0, false, 160, 160}, p.payload);
  EXPECT_EQ(receiver.on_packet(p.header, p.payload), std::nullopt);
}

TEST(TelephoneEvent, GarbageAndNonDtmfEventsYieldNothing) {
  DtmfReceiver receiver;
  const std::array<std::uint8_t, 2> short_payload{1, 2};
  EXPECT_EQ(receiver.on_packet(RtpHeader{true, 101, 1, 10, 1}, short_payload), std::nullopt);
  const std::array<std::uint8_t, 4> flash{16, 0x80, 0, 160};  // hook flash
  EXPECT_EQ(receiver.on_packet(RtpHeader{true, 101, 2, 20, 1}, flash), std::nullopt);
  const std::array<std::uint8_t, 4> junk{0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(receiver.on_packet(RtpHeader{false, 101, 3, 30, 1}, junk), std::nullopt);
  EXPECT_EQ(feed(receiver, press(8, 9000, 10)), "8");
}

TEST(TelephoneEvent, SenderPlanFollowsRfc4733) {
  const auto packets = DtmfSender::plan('#', 100, 4242);
  ASSERT_EQ(packets.size(), 4u + 3u);  // updates at 20..80 ms, then 3 ends at 100 ms
  EXPECT_TRUE(packets[0].marker);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].timestamp, 4242u);
    EXPECT_EQ(packets[i].event.event, 11);
    if (i > 0) {
      EXPECT_FALSE(packets[i].marker);
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(packets[i].event.end);
    EXPECT_EQ(packets[i].event.duration, 160 * (i + 1));
  }
  for (std::size_t i = 4; i < 7; ++i) {
    EXPECT_TRUE(packets[i].event.end);
    EXPECT_EQ(packets[i].event.duration, 800);
  }
  EXPECT_TRUE(DtmfSender::plan('x', 100, 0).empty());
}

TEST(TelephoneEvent, SenderClampsDurationAndRunsIncrementally) {
  DtmfSender sender;
  EXPECT_FALSE(sender.start('?', 100, 0));
  ASSERT_TRUE(sender.start('5', 1, 0));  // raised to 40 ms
  std::vector<TelephoneEventPacket> packets;
  while (auto p = sender.next()) packets.push_back(*p);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packets.back().event.duration, 320);
  EXPECT_FALSE(sender.active());
  const auto long_press = DtmfSender::plan('1', 60000, 0);
  EXPECT_EQ(long_press.back().event.duration, 64000);
}

TEST(TelephoneEvent, SenderOutputIsReadBackAsOneDigit) {
  DtmfReceiver receiver;
  std::string digits;
  std::uint16_t seq = 0;
  for (char d : std::string("12#")) {
    for (const auto& p :
         DtmfSender::plan(d, 120, 1000u + 8000u * static_cast<std::uint32_t>(seq))) {
      std::array<std::uint8_t, 4> payload{};
      write_telephone_event(p.event, payload);
      if (auto digit = receiver.on_packet(RtpHeader{p.marker, 101, seq++, p.timestamp, 1}, payload))
        digits += *digit;
    }
  }
  EXPECT_EQ(digits, "12#");
}

}  // namespace
}  // namespace irisx::voice::media
