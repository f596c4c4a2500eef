// Media verbs beyond play and say: WAV files at any rate (play_file) and DTMF sent by us
// (send_digits), as RFC 4733 events or, for peers without telephone-event, as tones; and the
// same tones for digits a bridge relays to such a peer.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <variant>

#include "common/log.hpp"
#include "voice/audio/tones.hpp"
#include "voice/calls/call.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr auto kFrame = milliseconds(kFrameMs);

// The steps as one tone plan: each key's Q.23 pair, then its gap; pauses are silent segments.
audio::TonePlan tones_for(const std::vector<media::DigitStep>& steps) {
  audio::TonePlan plan;
  for (const auto& step : steps) {
    audio::ToneSegment segment;
    segment.level_dbm0 = audio::kDtmfLevelDbm0;
    segment.on_ms = step.tone_ms;
    segment.off_ms = step.silence_ms;
    if (const auto pair = audio::dtmf_frequencies(step.digit))
      segment.frequencies_hz = {pair->first, pair->second};
    plan.segments.push_back(std::move(segment));
  }
  return plan;
}

milliseconds length_of(const std::vector<media::DigitStep>& steps) {
  return milliseconds(media::total_ms(steps)) + kFrame;  // the last frame may be partial
}

}  // namespace

asio::awaitable<bool> Call::play_file(std::string path, bool interrupt_on_digit) {
  if (ended_) co_return false;
  PromptCache::Loaded loaded = resources_.prompts.load(path);
  if (const auto* error = std::get_if<std::string>(&loaded)) {
    log::get("voice")->warn("call {}: play_file: {}", record_.id, *error);
    co_return false;
  }
  auto samples = std::get<std::shared_ptr<const audio::Samples>>(std::move(loaded));
  co_return co_await play(std::move(samples), interrupt_on_digit);
}

asio::awaitable<bool> Call::send_digits(std::string digits) {
  const auto steps = media::plan_digits(digits);
  if (!steps) {
    log::get("voice")->warn("call {}: send_digits: '{}' is not DTMF keys and w/W", record_.id,
                            digits);
    co_return false;
  }
  if (ended_ || !rtp_ || !media_) co_return false;
  if (media_->telephone_event_pt) {
    co_await send_events(*steps);
  } else {
    tones_out_ = true;
    co_await play_tone(tones_for(*steps), length_of(*steps));
    tones_out_ = false;
    relay_offset_.reset();       // a bridge's audio resumes on our timestamp line
    sound_regenerated_digits();  // relayed digits that came meanwhile waited for these tones
  }
  co_return !ended_;
}

// RFC 4733 §2.5: per key a marked start packet, an update every 20 ms with the duration so
// far, three end packets; all with the timestamp of the key's start, which continues the
// timeline of our audio (the same SSRC and clock, §2.1). Audio is held back meanwhile.
asio::awaitable<void> Call::send_events(const std::vector<media::DigitStep>& steps) {
  const auto pt = static_cast<std::uint8_t>(*media_->telephone_event_pt);
  // A timer of its own: wake_ and frame_timer_ belong to whatever else runs on this call.
  asio::steady_timer timer(resources_.executor);
  boost::system::error_code ec;
  sending_events_ = true;
  for (const auto& step : steps) {
    if (ended_ || !rtp_ || !media_) break;
    auto at = Clock::now();
    if (step.digit != '\0') {
      const std::uint32_t start = start_talkspurt();
      const auto began = at;
      media::DtmfSender sender;
      sender.start(step.digit, step.tone_ms, start);
      while (auto packet = sender.next()) {
        if (ended_ || !rtp_) break;
        std::array<std::uint8_t, media::kTelephoneEventSize> payload{};
        media::write_telephone_event(packet->event, payload);
        if (remote_listens()) rtp_->send(pt, payload, packet->timestamp, packet->marker);
        at += kFrame;
        timer.expires_at(at);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      // The event covered tone_ms of the timeline; what follows continues from its end.
      timestamp_ = start + static_cast<std::uint32_t>(step.tone_ms * (kSampleRate / 1000));
      last_sent_ = began + milliseconds(step.tone_ms);
      at = began + milliseconds(step.tone_ms);
    }
    timer.expires_at(at + milliseconds(step.silence_ms));
    if (!ended_) co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  sending_events_ = false;
  relay_offset_.reset();
}

// Runs in the relay (call_bridge.cpp): the other leg's RFC 4733 digit, for a peer of ours
// that did not negotiate telephone-event. The tones take the relayed audio's place.
void Call::regenerate_digit(char digit) {
  regenerated_.push_back(digit);
  sound_regenerated_digits();
}

void Call::sound_regenerated_digits() {
  if (tones_out_ || regenerated_.empty() || ended_) return;  // a running player takes them
  tones_out_ = true;
  asio::co_spawn(resources_.executor, play_regenerated_digits(shared_from_this()), asio::detached);
}

asio::awaitable<void> Call::play_regenerated_digits(std::shared_ptr<Call> self) {
  while (!self->regenerated_.empty() && !self->ended_) {
    std::string digits;
    std::swap(digits, self->regenerated_);
    const auto steps = media::plan_digits(digits);
    if (!steps) continue;
    co_await self->play_tone(tones_for(*steps), length_of(*steps));
  }
  self->regenerated_.clear();
  self->tones_out_ = false;
  self->relay_offset_.reset();
}

}  // namespace irisx::voice
