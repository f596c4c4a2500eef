// Outbound legs (an INVITE we send, its progress and answer) and bridging two legs' media.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <variant>

#include "common/time.hpp"
#include "voice/calls/call.hpp"
#include "voice/media/g711.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxRelayedPayload = 480;  // 60 ms of G.711, the most we packetize

PlaceResult::Outcome outcome_of_status(int status) {
  const Refusal refusal = refusal_of(status);
  if (refusal == Refusal::busy) return PlaceResult::Outcome::busy;
  if (refusal == Refusal::no_answer) return PlaceResult::Outcome::no_answer;
  return PlaceResult::Outcome::declined;
}

}  // namespace

asio::awaitable<PlaceResult> Call::place(PlaceOptions options) {
  PlaceResult result;
  if (!outbound_ || answer_sent_ || ended_) co_return result;
  if (!open_rtp()) co_return result;
  invite_.sdp = sdp::make_offer(local_);
  answer_sent_ = true;  // our offer is out; reject() and ring() no longer apply
  resources_.sip.invite(request_.id, std::move(invite_));
  const auto started = Clock::now();
  const auto answer_deadline = started + options.answer_timeout;
  const auto setup_deadline = options.setup_timeout.count() > 0 ? started + options.setup_timeout
                                                                : Clock::time_point::max();
  while (!confirmed_ && !ended_) {
    const bool heard_back = progress_status_ > 0;
    const auto deadline = heard_back ? answer_deadline : std::min(setup_deadline, answer_deadline);
    if (Clock::now() >= deadline) {
      const bool setup = !heard_back && setup_deadline <= answer_deadline;
      abandon(setup ? "recovery_on_timer_expire" : "no_answer");
      result.outcome =
          setup ? PlaceResult::Outcome::setup_timeout : PlaceResult::Outcome::no_answer;
      co_return result;
    }
    co_await wait(deadline);
  }
  result.sip_status = record_.sip_status;
  if (confirmed_ && !ended_) {
    result.outcome = PlaceResult::Outcome::answered;
    result.sip_status = 200;
  } else if (!abandon_cause_.empty()) {
    result.outcome = PlaceResult::Outcome::cancelled;
  } else if (record_.sip_status >= 300) {
    result.outcome = outcome_of_status(record_.sip_status);
  }
  co_return result;
}

void Call::abandon(std::string cause) {
  if (ended_ || confirmed_) return;
  abandon_cause_ = std::move(cause);
  resources_.sip.hangup(request_.id);
  notify();
}

void Call::on_progress(int status, const std::string& sdp_text) {
  if (ended_) return;
  progress_status_ = std::max(progress_status_, status);
  if (!sdp_text.empty() && rtp_) {
    // Without 100rel the 18x's SDP is the answer the 200 will repeat (RFC 3261 §13.2.1).
    auto answer = sdp::accept_answer(sdp_text, local_);
    if (auto* negotiated = std::get_if<sdp::Negotiated>(&answer)) {
      use_media(*negotiated);
      early_media_ = true;
    }
  }
  if (status == 180 || status == 183) emit(CallEvent{CallEvent::Type::ringing, '\0', {}, status});
  notify();
}

void Call::on_answered(const std::string& sdp_text) {
  if (ended_) return;
  auto answer = sdp::accept_answer(sdp_text, local_);
  if (auto* negotiated = std::get_if<sdp::Negotiated>(&answer)) {
    use_media(*negotiated);
  } else if (!media_) {
    // No usable answer: the call cannot carry media (RFC 3264 §5), so end it.
    abandon_cause_ = "incompatible_destination";
    resources_.sip.hangup(request_.id);
    notify();
    return;
  }
  confirmed_ = true;
  record_.answered_at = now_ms();
  emit(CallEvent{CallEvent::Type::answered, '\0', {}, 200});
  notify();
}

void Call::stop_playback() {
  ++playback_generation_;
  frame_timer_.cancel();
}

void Call::connect(const std::shared_ptr<Call>& a, const std::shared_ptr<Call>& b) {
  a->bridged_ = b;
  b->bridged_ = a;
  a->relay_offset_.reset();
  b->relay_offset_.reset();
  a->stop_playback();
  b->stop_playback();
}

void Call::disconnect(const std::shared_ptr<Call>& a, const std::shared_ptr<Call>& b) {
  if (a->bridged_.lock() == b) a->bridged_.reset();
  if (b->bridged_.lock() == a) b->bridged_.reset();
}

asio::awaitable<void> Call::bridge(std::shared_ptr<Call> other) {
  if (!other || other.get() == this) co_return;
  auto self = shared_from_this();
  connect(self, other);
  while (!ended_ && other->active() && !transfer_request_ && !other->transfer_request_)
    co_await wait(Clock::now() + std::chrono::hours(1));
  disconnect(self, other);
}

// Runs on the shared media thread (both legs of a bridge live on one shard), straight from
// the other leg's receive handler: no queue, no copy beyond a transcode.
void Call::relay(const media::RtpPacketView& packet, Codec from, bool is_event) {
  if (ended_ || !rtp_ || !media_) return;
  if (!is_event) record_bridged(1, from, packet.payload);
  if (is_event && !media_->telephone_event_pt) {
    // This side cannot take RFC 4733 digits: it hears them as tones instead.
    if (auto digit = relayed_events_.on_packet(packet.header, packet.payload))
      regenerate_digit(*digit);
    return;
  }
  // On hold nothing goes out; while our own digits go out they hold the timeline.
  if (!remote_listens() || sending_events_ || tones_out_) return;
  const std::uint32_t timestamp = packet.header.timestamp;
  bool marker = packet.header.marker;
  if (!relay_offset_) {
    relay_offset_ = start_talkspurt() - timestamp;
    marker = true;
  }
  const std::uint32_t out_timestamp = timestamp + *relay_offset_;
  timestamp_ = out_timestamp;
  last_sent_ = Clock::now();
  if (is_event) {
    rtp_->send(static_cast<std::uint8_t>(*media_->telephone_event_pt), packet.payload,
               out_timestamp, marker);
    return;
  }
  if (packet.payload.size() > kMaxRelayedPayload) return;
  if (from == media_->codec) {
    rtp_->send(static_cast<std::uint8_t>(media_->payload_type), packet.payload, out_timestamp,
               marker);
    return;
  }
  std::array<std::uint8_t, kMaxRelayedPayload> converted{};
  const auto out = std::span<std::uint8_t>(converted.data(), packet.payload.size());
  media::transcode(from, media_->codec, packet.payload, out);
  rtp_->send(static_cast<std::uint8_t>(media_->payload_type), out, out_timestamp, marker);
}

}  // namespace irisx::voice
