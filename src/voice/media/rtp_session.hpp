#pragma once
// One leg's RTP/RTCP endpoint on the voice engine's io_context: an RTP socket on an even port
// from the pool and an RTCP socket on the next port (RFC 3550 §11). Received packets are
// parsed and handed to a handler; sending stamps our own SSRC, sequence and timestamp.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "voice/media/port_pool.hpp"
#include "voice/media/rtcp.hpp"
#include "voice/media/rtp_packet.hpp"
#include "voice/media/rtp_stats.hpp"

namespace irisx::voice::media {

class RtpSession : public std::enable_shared_from_this<RtpSession> {
 public:
  using PacketHandler = std::function<void(const RtpPacketView&)>;

  // Binds RTP and RTCP on `address` with ports from `pool`; null when no port pair binds.
  // Shared: the receive loops keep the session alive until they have seen close().
  static std::shared_ptr<RtpSession> open(boost::asio::any_io_executor executor,
                                          const std::string& address, PortPool& pool);
  ~RtpSession();
  RtpSession(const RtpSession&) = delete;
  RtpSession& operator=(const RtpSession&) = delete;

  std::uint16_t port() const { return port_; }
  // Where to send, from the negotiated SDP (RTCP to the next port, RFC 3550 §11). Symmetric
  // RTP (RFC 4961): once packets arrive, we answer to the address they come from, so callers
  // behind NAT still hear us; the same for RTCP.
  void set_remote(const std::string& address, std::uint16_t port);
  // RFC 3550 §6.2 asks for at least 5 s between reports (randomized ±50 %, §6.3.1).
  void set_report_interval(std::chrono::milliseconds interval) { report_interval_ = interval; }

  // Starts the receive loops and the RTCP reports; the handler runs on the session's executor
  // for every valid RTP packet until close(), which also sends an RTCP BYE (§6.6). The port
  // returns to the pool when the last reference goes.
  void start(PacketHandler handler);
  void close();

  // Sends one packet with our SSRC and the next sequence number. `timestamp_advance` is how
  // many samples the previous packet covered (RFC 3550 §5.1).
  void send(std::uint8_t payload_type, std::span<const std::uint8_t> payload,
            std::uint32_t timestamp, bool marker = false);
  // The timestamp that follows the last audio packet sent, for the next frame.
  std::uint32_t next_timestamp(std::uint32_t samples) {
    timestamp_ += samples;
    return timestamp_;
  }

  const ReceiverStats& stats() const { return stats_; }
  // From the peer's reports about our stream: round-trip time (§6.4.1) and what it received.
  std::optional<double> round_trip_ms() const { return rtt_ms_; }
  const std::optional<ReportBlock>& remote_report() const { return remote_report_; }
  std::uint64_t packets_sent() const { return packets_sent_; }
  std::uint64_t packets_received() const { return packets_received_; }

 private:
  RtpSession(boost::asio::any_io_executor executor, PortPool& pool, std::uint16_t port,
             boost::asio::ip::udp::socket rtp, boost::asio::ip::udp::socket rtcp);
  // Arrival time in RTP clock units (8 kHz), for the jitter estimate (RFC 3550 A.8).
  static std::uint32_t arrival_clock();
  static boost::asio::awaitable<void> receive_rtp(std::shared_ptr<RtpSession> self);
  static boost::asio::awaitable<void> receive_rtcp(std::shared_ptr<RtpSession> self);
  static boost::asio::awaitable<void> report_periodically(std::shared_ptr<RtpSession> self);
  void on_rtcp(std::span<const std::uint8_t> datagram, const boost::asio::ip::udp::endpoint& from);
  void send_report(bool bye);

  PortPool& pool_;
  std::uint16_t port_;
  boost::asio::ip::udp::socket rtp_;
  boost::asio::ip::udp::socket rtcp_;
  std::optional<boost::asio::ip::udp::endpoint> remote_;
  std::optional<boost::asio::ip::udp::endpoint> remote_rtcp_;
  bool rtcp_latched_ = false;
  boost::asio::steady_timer report_timer_;
  std::chrono::milliseconds report_interval_{5000};
  std::optional<double> rtt_ms_;
  std::optional<ReportBlock> remote_report_;
  std::string cname_;  // RFC 3550 §6.5.1: user@host
  std::uint64_t octets_sent_ = 0;
  std::uint64_t sent_at_last_report_ = 0;
  bool latched_ = false;
  PacketHandler handler_;
  bool closed_ = false;
  ReceiverStats stats_;
  std::uint32_t ssrc_;
  std::uint16_t sequence_;
  std::uint32_t timestamp_;
  std::uint64_t packets_sent_ = 0;
  std::uint64_t packets_received_ = 0;
  std::array<std::uint8_t, 1500> out_{};
};

}  // namespace irisx::voice::media
