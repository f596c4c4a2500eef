// Two real RTP sessions on loopback exchanging media and RTCP reports.
#include "voice/media/rtp_session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>

namespace irisx::voice::media {
namespace {

namespace asio = boost::asio;

// Ports above the range the SIP tests use (20000-59999), and a range per test, so tests that
// run in parallel never collide.
constexpr std::uint16_t kReportsLow = 61000, kReportsHigh = 61099, kPoolLow = 61100;

asio::awaitable<void> send_packets(std::shared_ptr<RtpSession> session, int count) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::array<std::uint8_t, 160> payload{};
  payload.fill(0xff);
  for (int i = 0; i < count; ++i) {
    session->send(0, payload, session->next_timestamp(160), i == 0);
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

TEST(RtpSession, ReportsTellEachSideWhatThePeerReceivedAndTheRoundTrip) {
  asio::io_context io;
  PortPool pool(kReportsLow, kReportsHigh);
  auto a = RtpSession::open(io.get_executor(), "127.0.0.1", pool);
  auto b = RtpSession::open(io.get_executor(), "127.0.0.1", pool);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->port(), b->port());
  a->set_remote("127.0.0.1", b->port());
  b->set_remote("127.0.0.1", a->port());
  a->set_report_interval(std::chrono::milliseconds(40));
  b->set_report_interval(std::chrono::milliseconds(40));
  int received_by_b = 0;
  a->start([](const RtpPacketView&) {});
  b->start([&](const RtpPacketView& packet) {
    EXPECT_EQ(packet.payload.size(), 160u);
    ++received_by_b;
  });
  asio::co_spawn(io, send_packets(a, 60), asio::detached);
  asio::co_spawn(io, send_packets(b, 60), asio::detached);
  // Run until A has heard B's report on A's stream and a round trip (or give up after 5 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline &&
         !(received_by_b == 60 && a->round_trip_ms() && a->remote_report() &&
           a->remote_report()->highest_sequence != 0 && b->round_trip_ms())) {
    io.run_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(received_by_b, 60);
  EXPECT_EQ(b->packets_received(), 60u);
  ASSERT_TRUE(a->remote_report().has_value());
  EXPECT_EQ(a->remote_report()->cumulative_lost, 0);
  ASSERT_TRUE(a->round_trip_ms().has_value());
  EXPECT_GE(*a->round_trip_ms(), 0.0);
  EXPECT_LT(*a->round_trip_ms(), 1000.0) << "loopback";
  EXPECT_TRUE(b->round_trip_ms().has_value());
  a->close();
  b->close();
  io.run_for(std::chrono::milliseconds(50));
}

TEST(RtpSession, PortsReturnToThePoolWhenTheSessionGoes) {
  asio::io_context io;
  PortPool pool(kPoolLow, kPoolLow + 3);  // two pairs
  auto first = RtpSession::open(io.get_executor(), "127.0.0.1", pool);
  auto second = RtpSession::open(io.get_executor(), "127.0.0.1", pool);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(RtpSession::open(io.get_executor(), "127.0.0.1", pool), nullptr) << "exhausted";
  first.reset();
  EXPECT_NE(RtpSession::open(io.get_executor(), "127.0.0.1", pool), nullptr);
}

}  // namespace
}  // namespace irisx::voice::media
