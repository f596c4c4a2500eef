#include "voice/media/rtp_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

#include "voice/codec.hpp"

namespace irisx::voice::media {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

std::uint32_t random_u32() {
  static thread_local std::mt19937 engine{std::random_device{}()};
  return static_cast<std::uint32_t>(engine());
}

// Opens and binds a UDP socket; false (socket closed) when the port is taken.
bool bind_udp(udp::socket& socket, const asio::ip::address& address, std::uint16_t port) {
  boost::system::error_code ec;
  socket.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
  if (!ec) socket.bind(udp::endpoint(address, port), ec);
  if (ec) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<RtpSession> RtpSession::open(asio::any_io_executor executor,
                                             const std::string& address, PortPool& pool) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return nullptr;
  // A port in the range may be held by another program: try a few before giving up.
  for (int attempt = 0; attempt < 16; ++attempt) {
    const auto port = pool.acquire();
    if (!port) return nullptr;
    udp::socket rtp(executor);
    udp::socket rtcp(executor);
    if (bind_udp(rtp, ip, *port) && bind_udp(rtcp, ip, static_cast<std::uint16_t>(*port + 1))) {
      std::shared_ptr<RtpSession> session(
          new RtpSession(executor, pool, *port, std::move(rtp), std::move(rtcp)));
      session->cname_ = "irisx@" + address;
      return session;
    }
    pool.release(*port);
  }
  return nullptr;
}

RtpSession::RtpSession(asio::any_io_executor executor, PortPool& pool, std::uint16_t port,
                       udp::socket rtp, udp::socket rtcp)
    : pool_(pool),
      port_(port),
      rtp_(std::move(rtp)),
      rtcp_(std::move(rtcp)),
      report_timer_(executor),
      ssrc_(random_u32()),
      sequence_(static_cast<std::uint16_t>(random_u32())),
      timestamp_(random_u32()) {}

RtpSession::~RtpSession() {
  boost::system::error_code ignored;
  rtp_.close(ignored);
  rtcp_.close(ignored);
  pool_.release(port_);
}

std::uint32_t RtpSession::arrival_clock() {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  return static_cast<std::uint32_t>(micros * kSampleRate / 1000000);
}

void RtpSession::set_remote(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec || port == 0) return;
  remote_ = udp::endpoint(ip, port);
  latched_ = false;
  if (!rtcp_latched_) remote_rtcp_ = udp::endpoint(ip, static_cast<std::uint16_t>(port + 1));
}

void RtpSession::start(PacketHandler handler) {
  handler_ = std::move(handler);
  asio::co_spawn(rtp_.get_executor(), receive_rtp(shared_from_this()), asio::detached);
  asio::co_spawn(rtcp_.get_executor(), receive_rtcp(shared_from_this()), asio::detached);
  asio::co_spawn(rtcp_.get_executor(), report_periodically(shared_from_this()), asio::detached);
}

void RtpSession::close() {
  if (closed_) return;
  send_report(true);
  closed_ = true;
  handler_ = nullptr;
  boost::system::error_code ignored;
  rtp_.cancel(ignored);
  rtcp_.cancel(ignored);
  report_timer_.cancel();
}

asio::awaitable<void> RtpSession::receive_rtp(std::shared_ptr<RtpSession> self) {
  std::array<std::uint8_t, 1500> buffer{};
  udp::endpoint from;
  while (!self->closed_) {
    boost::system::error_code ec;
    const std::size_t n = co_await self->rtp_.async_receive_from(
        asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, ec));
    if (self->closed_ || ec == asio::error::operation_aborted) break;
    if (ec) continue;  // ICMP port unreachable and the like surface here; keep listening
    const auto packet = parse_rtp(std::span<const std::uint8_t>(buffer.data(), n));
    if (!packet) continue;
    ++self->packets_received_;
    if (!self->latched_ && from != self->remote_) {
      self->remote_ = from;
    }
    self->latched_ = true;
    self->stats_.update(packet->header, arrival_clock(), packet->payload.size());
    if (self->handler_) self->handler_(*packet);
  }
}

asio::awaitable<void> RtpSession::receive_rtcp(std::shared_ptr<RtpSession> self) {
  std::array<std::uint8_t, 1500> buffer{};
  udp::endpoint from;
  while (!self->closed_) {
    boost::system::error_code ec;
    const std::size_t n = co_await self->rtcp_.async_receive_from(
        asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, ec));
    if (self->closed_ || ec == asio::error::operation_aborted) break;
    if (!ec) self->on_rtcp(std::span<const std::uint8_t>(buffer.data(), n), from);
  }
}

void RtpSession::on_rtcp(std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
  const auto compound = parse_rtcp(datagram);
  if (!compound) return;
  remote_rtcp_ = from;
  rtcp_latched_ = true;
  if (compound->sender_info)
    stats_.on_sender_report(compound->sender_info->ntp_timestamp, arrival_clock());
  const std::uint32_t now = ntp_middle32(ntp_timestamp(std::chrono::system_clock::now()));
  for (const ReportBlock& block : compound->reports()) {
    if (block.ssrc != ssrc_) continue;  // about someone else's stream
    remote_report_ = block;
    if (auto rtt = media::round_trip_ms(now, block)) rtt_ms_ = *rtt;
  }
}

asio::awaitable<void> RtpSession::report_periodically(std::shared_ptr<RtpSession> self) {
  static thread_local std::mt19937 engine{std::random_device{}()};
  while (!self->closed_) {
    // RFC 3550 §6.3.1: a random factor of 0.5 to 1.5 keeps legs from reporting in lockstep.
    std::uniform_real_distribution<double> factor(0.5, 1.5);
    const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(
        static_cast<double>(self->report_interval_.count()) * factor(engine)));
    self->report_timer_.expires_after(wait);
    boost::system::error_code ec;
    co_await self->report_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (self->closed_) break;
    self->send_report(false);
  }
}

void RtpSession::send_report(bool bye) {
  if (!remote_rtcp_) return;
  ReportInput input;
  input.ssrc = ssrc_;
  // §6.4: an SR when we sent RTP since the previous report, an RR otherwise.
  if (packets_sent_ > sent_at_last_report_) {
    input.sender = SenderInfo{ntp_timestamp(std::chrono::system_clock::now()), timestamp_,
                              static_cast<std::uint32_t>(packets_sent_),
                              static_cast<std::uint32_t>(octets_sent_)};
  }
  sent_at_last_report_ = packets_sent_;
  std::array<ReportBlock, 1> blocks{};
  if (stats_.valid()) {
    blocks[0] = stats_.make_report_block(stats_.ssrc(), arrival_clock());
    input.blocks = std::span<const ReportBlock>(blocks.data(), 1);
  }
  input.cname = cname_;
  input.bye = bye;
  std::array<std::uint8_t, 256> packet{};
  const std::size_t n = write_rtcp_report(input, packet);
  if (n == 0) return;
  boost::system::error_code ignored;
  rtcp_.send_to(asio::buffer(packet.data(), n), *remote_rtcp_, 0, ignored);
}

void RtpSession::send(std::uint8_t payload_type, std::span<const std::uint8_t> payload,
                      std::uint32_t timestamp, bool marker) {
  if (!remote_ || closed_) return;
  RtpHeader header{marker, payload_type, sequence_++, timestamp, ssrc_};
  const std::size_t n = write_rtp(header, payload, out_);
  if (n == 0) return;
  boost::system::error_code ec;
  rtp_.send_to(asio::buffer(out_.data(), n), *remote_, 0, ec);
  if (ec) return;
  ++packets_sent_;
  octets_sent_ += payload.size();
}

}  // namespace irisx::voice::media
