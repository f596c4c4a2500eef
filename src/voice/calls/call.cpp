#include "voice/calls/call.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <variant>

#include "common/id.hpp"
#include "common/time.hpp"
#include "voice/audio/tones.hpp"
#include "voice/calls/bridge_recorder.hpp"
#include "voice/media/g711.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kFrame = std::chrono::milliseconds(kFrameMs);

std::uint64_t session_id_now() {
  return static_cast<std::uint64_t>(now_ms());
}

// Q.850-style causes, named as FreeSWITCH names them, so operators read familiar words.
std::string cause_of_status(int status) {
  switch (refusal_of(status)) {
    case Refusal::busy:
      return "user_busy";
    case Refusal::no_answer:
      return "no_answer";
    case Refusal::unallocated:
      return "unallocated_number";
    case Refusal::temporary_failure:
      return "normal_temporary_failure";
    case Refusal::rejected:
      break;
  }
  return "call_rejected";
}

std::string cause_of(const sip::CallEnded& ended) {
  switch (ended.ending) {
    case sip::Ending::remote_bye:
    case sip::Ending::local_bye:
      return "normal_clearing";
    case sip::Ending::cancelled:
    case sip::Ending::abandoned:
      return "originator_cancel";
    case sip::Ending::rejected:
      return "rejected";
    case sip::Ending::declined:
      return cause_of_status(ended.sip_status);
    case sip::Ending::failed:
      break;
  }
  return "failed";
}

}  // namespace

Call::Call(CallResources& resources, sip::InviteRequest request)
    : resources_(resources),
      request_(std::move(request)),
      wake_(resources.executor),
      frame_timer_(resources.executor) {
  record_.id = new_id("CA");
  record_.direction = "inbound";
  record_.from = request_.from_uri;
  record_.to = request_.to_uri;
  record_.sip_call_id = request_.call_id;
  record_.transport = request_.transport;
  record_.started_at = now_ms();
}

Call::Call(CallResources& resources, sip::CallId id, sip::OutboundInvite invite)
    : resources_(resources),
      wake_(resources.executor),
      frame_timer_(resources.executor),
      outbound_(true),
      invite_(std::move(invite)) {
  request_.id = id;
  request_.from_uri = invite_.from_uri;
  request_.from_display = invite_.from_display;
  request_.to_uri = invite_.to_uri;
  request_.transport =
      invite_.request_uri.find(";transport=tcp") != std::string::npos ? "tcp" : "udp";
  record_.id = new_id("CA");
  record_.direction = "outbound";
  record_.from = invite_.from_uri;
  record_.to = invite_.to_uri;
  record_.transport = request_.transport;
  record_.started_at = now_ms();
}

void Call::set_labels(std::string tenant_id, std::string trunk, std::string extension) {
  record_.tenant_id = std::move(tenant_id);
  record_.trunk = std::move(trunk);
  record_.extension = std::move(extension);
}

Call::~Call() {
  if (bridge_recorder_) bridge_recorder_->stop();  // its clock would otherwise tick on
  finish_media();
}

void Call::notify() {
  wake_.cancel();
}

asio::awaitable<void> Call::wait(Clock::time_point deadline) {
  wake_.expires_at(deadline);
  boost::system::error_code ec;
  co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Call::wait_frame() {
  next_frame_ += kFrame;
  const auto now = Clock::now();
  // After a stall (a busy core), restart the clock instead of bursting to catch up.
  if (next_frame_ + 5 * kFrame < now) next_frame_ = now;
  frame_timer_.expires_at(next_frame_);
  boost::system::error_code ec;
  co_await frame_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Call::ring() {
  if (!ended_ && !answer_sent_) {
    resources_.sip.ring(request_.id);
    emit(CallEvent{CallEvent::Type::ringing, '\0', {}, 180});
  }
  co_return;
}

bool Call::open_rtp() {
  if (rtp_) return true;
  rtp_ = media::RtpSession::open(resources_.executor, resources_.media_address, resources_.ports);
  if (!rtp_) return false;
  local_.address = resources_.media_address;
  local_.rtp_port = rtp_->port();
  local_.session_id = session_id_now();
  local_.session_version = local_.session_id;
  return true;
}

asio::awaitable<std::optional<std::string>> Call::prepare_answer() {
  if (prepared_sdp_) co_return prepared_sdp_;
  if (!open_rtp()) {
    co_await reject(503);
    co_return std::nullopt;
  }
  if (request_.sdp.empty()) {
    // RFC 3264 §4 with RFC 3261 §13.2.1: an INVITE without an offer gets ours in the 200 OK
    // and the caller's answer arrives in the ACK (on_confirmed).
    awaiting_answer_ = true;
    prepared_sdp_ = sdp::make_offer(local_);
    co_return prepared_sdp_;
  }
  auto result = sdp::answer_offer(request_.sdp, local_);
  if (const auto* failure = std::get_if<sdp::Failure>(&result)) {
    const int status = *failure == sdp::Failure::malformed ? 400 : 488;
    co_await reject(status);
    co_return std::nullopt;
  }
  auto& answer = std::get<sdp::Answer>(result);
  use_media(answer.negotiated);
  prepared_sdp_ = std::move(answer.sdp);
  co_return prepared_sdp_;
}

asio::awaitable<bool> Call::early_media() {
  if (ended_ || outbound_ || answer_sent_ || request_.sdp.empty()) co_return false;
  if (early_media_) co_return true;
  std::optional<std::string> ours = co_await prepare_answer();
  if (!ours) co_return false;
  early_media_ = true;
  resources_.sip.progress(request_.id, *ours);
  co_return true;
}

asio::awaitable<bool> Call::answer() {
  if (ended_ || outbound_) co_return confirmed_ && !ended_;
  if (answer_sent_) co_return confirmed_;
  std::optional<std::string> ours = co_await prepare_answer();
  if (!ours) co_return false;
  answer_sent_ = true;
  resources_.sip.answer(request_.id, *ours);
  while (!confirmed_ && !ended_) co_await wait(Clock::now() + std::chrono::seconds(64));
  co_return confirmed_ && !ended_;
}

void Call::use_media(const sdp::Negotiated& negotiated) {
  const bool first = !media_;
  media_ = negotiated;
  record_.codec = std::string(encoding_name(media_->codec));
  rtp_->set_remote(media_->remote_address, static_cast<std::uint16_t>(media_->remote_port));
  if (!media_->telephone_event_pt && !inband_) {
    inband_ = std::make_unique<audio::DtmfDetector>();
  } else if (media_->telephone_event_pt) {
    inband_.reset();
  }
  if (!first) return;
  std::weak_ptr<Call> weak = weak_from_this();
  rtp_->start([weak](const media::RtpPacketView& packet) {
    if (auto self = weak.lock()) self->on_packet(packet);
  });
}

asio::awaitable<void> Call::reject(int status) {
  if (!ended_ && !answer_sent_ && !outbound_) resources_.sip.reject(request_.id, status);
  co_return;
}

asio::awaitable<void> Call::challenge(std::string proxy_authenticate) {
  if (ended_ || answer_sent_ || outbound_) co_return;
  challenged_ = true;
  resources_.sip.challenge(request_.id, std::move(proxy_authenticate));
}

asio::awaitable<void> Call::hangup() {
  if (!ended_) resources_.sip.hangup(request_.id);
  co_return;
}

asio::awaitable<void> Call::wait_until_ended(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!ended_ && Clock::now() < deadline) co_await wait(deadline);
}

asio::awaitable<void> Call::pause(std::chrono::milliseconds duration) {
  const auto deadline = Clock::now() + duration;
  while (!ended_ && Clock::now() < deadline) co_await wait(deadline);
}

void Call::on_confirmed(const std::string& ack_sdp) {
  if (awaiting_answer_) {
    awaiting_answer_ = false;
    auto result = sdp::accept_answer(ack_sdp, local_);
    if (auto* negotiated = std::get_if<sdp::Negotiated>(&result)) {
      use_media(*negotiated);
    } else {
      // No usable answer to our offer: the call cannot carry media, so end it (RFC 3264 §5).
      resources_.sip.hangup(request_.id);
      return;
    }
  }
  confirmed_ = true;
  record_.answered_at = now_ms();
  emit(CallEvent{CallEvent::Type::answered, '\0', {}, 200});
  notify();
}

void Call::on_ended(const sip::CallEnded& ended) {
  ended_ = true;
  record_.ended_at = now_ms();
  record_.sip_status = ended.sip_status;
  record_.hangup_cause = cause_of(ended);
  const bool ended_by_us =
      ended.ending == sip::Ending::abandoned || ended.ending == sip::Ending::local_bye;
  if (ended_by_us && !abandon_cause_.empty()) record_.hangup_cause = abandon_cause_;
  if (bridge_recorder_) bridge_recorder_->stop();  // complete before the record is stored
  finish_media();
  if (auto peer = bridged_.lock()) peer->notify();
  emit(CallEvent{CallEvent::Type::hangup, '\0', record_.hangup_cause, ended.sip_status});
  notify();
  frame_timer_.cancel();
}

void Call::on_reoffer(const std::string& offer) {
  if (ended_ || !rtp_ || !media_) {
    resources_.sip.reject_reoffer(request_.id, 488);
    return;
  }
  ++local_.session_version;  // RFC 3264 §8: every new answer bumps the o= version
  auto result = sdp::answer_offer(offer, local_);
  if (const auto* failure = std::get_if<sdp::Failure>(&result)) {
    --local_.session_version;
    resources_.sip.reject_reoffer(request_.id, *failure == sdp::Failure::malformed ? 400 : 488);
    return;
  }
  auto& answer = std::get<sdp::Answer>(result);
  use_media(answer.negotiated);
  resources_.sip.answer_reoffer(request_.id, std::move(answer.sdp));
}

void Call::finish_media() {
  if (!rtp_) return;
  const auto rtt = rtp_->round_trip_ms();
  const auto quality = rtp_->stats().summary(rtt.value_or(0));
  record_.quality.rtt_ms = rtt;
  if (const auto& remote = rtp_->remote_report()) {
    record_.quality.remote_packets_lost = remote->cumulative_lost;
    record_.quality.remote_jitter_ms = remote->jitter * 1000.0 / kSampleRate;
  }
  record_.quality.packets_received = rtp_->packets_received();
  record_.quality.packets_sent = rtp_->packets_sent();
  record_.quality.packets_lost = static_cast<std::int64_t>(quality.packets_lost);
  record_.quality.loss_percent = quality.loss_percent;
  record_.quality.jitter_ms = quality.jitter_ms;
  record_.quality.mos = quality.mos;
  rtp_->close();
  rtp_.reset();
}

void Call::on_packet(const media::RtpPacketView& packet) {
  if (!media_) return;
  const int pt = packet.header.payload_type;
  const bool is_event = media_->telephone_event_pt && pt == *media_->telephone_event_pt;
  if (is_event || pt == media_->payload_type) {
    if (auto peer = bridged_.lock()) peer->relay(packet, media_->codec, is_event);
  }
  if (is_event) {
    if (auto digit = dtmf_.on_packet(packet.header, packet.payload)) on_digit(*digit);
    if (echoing_ && remote_listens())
      rtp_->send(packet.header.payload_type, packet.payload, packet.header.timestamp,
                 packet.header.marker);
    return;
  }
  if (pt != media_->payload_type) return;
  record_bridged(0, media_->codec, packet.payload);
  if (echoing_ && remote_listens()) {
    rtp_->send(packet.header.payload_type, packet.payload, packet.header.timestamp,
               packet.header.marker);
  }
  if (inbound_) inbound_->push(packet.header, packet.payload);
  if (inband_ && packet.payload.size() <= 2 * media::JitterBuffer::kMaxFrameBytes) {
    std::array<std::int16_t, 2 * media::JitterBuffer::kMaxFrameBytes> pcm{};
    const auto samples = std::span<std::int16_t>(pcm.data(), packet.payload.size());
    media::decode(media_->codec, packet.payload, samples);
    inband_->feed(samples);
    while (auto digit = inband_->next_digit()) on_digit(*digit);
  }
}

void Call::on_digit(char digit) {
  digits_.push_back(digit);
  record_.digits.push_back(digit);
  emit(CallEvent{CallEvent::Type::dtmf, digit, {}, 0});
  notify();
}

}  // namespace irisx::voice
