// The verbs on a call's own audio: play (PCM, tones, speech) paced in 20 ms frames, gather
// digits, record the caller, echo.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <variant>

#include "common/time.hpp"
#include "voice/audio/tones.hpp"
#include "voice/audio/wav.hpp"
#include "voice/calls/call.hpp"
#include "voice/media/g711.hpp"
#include "voice/tts/speech_synthesizer.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::uint32_t Call::start_talkspurt() {
  // RFC 3550 §5.1: the timestamp follows the sampling clock, including across silence.
  const auto now = Clock::now();
  if (last_sent_ != Clock::time_point{} && now > last_sent_) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_sent_);
    timestamp_ += static_cast<std::uint32_t>(gap.count() * (kSampleRate / 1000));
  }
  next_frame_ = now;
  return timestamp_;
}

void Call::send_frame(std::span<const std::int16_t, kFrameSamples> frame, std::uint32_t timestamp,
                      bool marker) {
  if (sending_events_) return;  // our RFC 4733 events hold this timeline (RFC 4733 §2.5)
  std::array<std::uint8_t, kFrameSamples> payload{};
  media::encode(media_->codec, frame, payload);
  last_sent_ = Clock::now();
  if (!remote_listens()) return;  // on hold: keep time, send nothing (RFC 3264 §8.4)
  rtp_->send(static_cast<std::uint8_t>(media_->payload_type), payload, timestamp, marker);
}

asio::awaitable<bool> Call::play_frames(FrameSource next, bool interrupt_on_digit) {
  if (ended_ || !rtp_ || !media_) co_return false;
  std::uint32_t timestamp = start_talkspurt();
  bool marker = true;
  std::array<std::int16_t, kFrameSamples> frame{};
  const std::uint64_t generation = playback_generation_;
  while (true) {
    if (ended_ || !rtp_) co_return false;
    if (interrupt_on_digit && !digits_.empty()) co_return false;
    if (generation != playback_generation_) co_return false;
    frame.fill(0);
    if (!next(frame)) break;
    send_frame(frame, timestamp, marker);
    marker = false;
    timestamp += kFrameSamples;
    timestamp_ = timestamp;
    co_await wait_frame();
  }
  co_return !ended_;
}

asio::awaitable<bool> Call::play(std::shared_ptr<const audio::Samples> audio,
                                 bool interrupt_on_digit) {
  if (!audio) co_return false;
  std::size_t offset = 0;
  FrameSource next = [audio, offset](std::span<std::int16_t, kFrameSamples> frame) mutable {
    if (offset >= audio->size()) return false;
    const std::size_t n = std::min<std::size_t>(kFrameSamples, audio->size() - offset);
    std::copy_n(audio->begin() + static_cast<std::ptrdiff_t>(offset), n, frame.begin());
    offset += n;
    return true;
  };
  co_return co_await play_frames(std::move(next), interrupt_on_digit);
}

asio::awaitable<bool> Call::play_tone(audio::TonePlan plan, std::chrono::milliseconds limit) {
  auto generator = std::make_shared<audio::ToneGenerator>(std::move(plan));
  std::int64_t frames_left = limit.count() / kFrameMs;
  FrameSource next = [generator,
                      frames_left](std::span<std::int16_t, kFrameSamples> frame) mutable {
    if (frames_left-- <= 0) return false;
    return generator->next_frame(frame);
  };
  co_return co_await play_frames(std::move(next), false);
}

asio::awaitable<bool> Call::say(std::string text, std::string voice, bool interrupt_on_digit) {
  using Result = std::variant<std::shared_ptr<const audio::Samples>, std::string>;
  auto& speech = resources_.speech;
  auto executor = resources_.executor;
  auto initiate = [&speech, executor, text = std::move(text),
                   voice = std::move(voice)](auto handler) mutable {
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    speech.synthesize(std::move(text), std::move(voice), [executor, shared](Result result) {
      asio::post(executor,
                 [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
    });
  };
  Result result = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result)>(
      std::move(initiate), asio::use_awaitable);
  if (auto* samples = std::get_if<std::shared_ptr<const audio::Samples>>(&result)) {
    co_return co_await play(*samples, interrupt_on_digit);
  }
  co_return false;
}

asio::awaitable<std::string> Call::gather(GatherOptions options) {
  std::string collected;
  auto deadline = Clock::now() + options.timeout;
  while (!ended_ && collected.size() < options.max_digits) {
    if (!digits_.empty()) {
      const char digit = digits_.front();
      digits_.erase(digits_.begin());
      if (options.finish_on_key != '\0' && digit == options.finish_on_key) break;
      collected.push_back(digit);
      deadline = Clock::now() + options.timeout;
      continue;
    }
    if (Clock::now() >= deadline) break;
    co_await wait(deadline);
  }
  co_return collected;
}

asio::awaitable<Recording> Call::record_audio(RecordOptions options) {
  Recording out;
  if (ended_ || !rtp_ || !media_) co_return out;
  if (options.beep) {
    co_await play_tone(audio::beep(), std::chrono::seconds(1));
    if (ended_) co_return out;
  }
  const std::string path = next_recording_path();
  auto opened = audio::WavWriter::open(path, 1);
  if (std::holds_alternative<std::string>(opened)) co_return out;
  auto& writer = std::get<audio::WavWriter>(opened);
  inbound_ = std::make_unique<media::JitterBuffer>();
  digits_.clear();
  next_frame_ = Clock::now();
  const std::int64_t frames_wanted = options.max_duration.count() / kFrameMs;
  // Packets may carry 10, 20 or 30 ms: decoded audio queues here and leaves 20 ms a tick, so
  // the file follows the wall clock whatever the peer's packetization.
  std::vector<std::int16_t> pending;
  std::array<std::int16_t, 2 * media::JitterBuffer::kMaxFrameBytes> decoded{};
  std::int64_t frames = 0;
  while (frames < frames_wanted && !ended_) {
    if (options.finish_on_key != '\0' && digits_.find(options.finish_on_key) != std::string::npos) {
      break;
    }
    co_await wait_frame();
    while (pending.size() < kFrameSamples) {
      const auto playout = inbound_->pop();
      if (playout.kind != media::JitterBuffer::Playout::Kind::frame) break;
      const auto samples = std::span<std::int16_t>(decoded.data(), playout.payload.size());
      media::decode(media_->codec, playout.payload, samples);
      pending.insert(pending.end(), samples.begin(), samples.end());
    }
    if (pending.size() < kFrameSamples) pending.resize(kFrameSamples, 0);  // a gap: silence
    writer.write(std::span<const std::int16_t>(pending.data(), kFrameSamples));
    pending.erase(pending.begin(), pending.begin() + kFrameSamples);
    ++frames;
  }
  inbound_.reset();
  writer.close();
  out.path = path;
  out.duration_ms = frames * kFrameMs;
  record_.recording = path;
  co_return out;
}

asio::awaitable<void> Call::echo() {
  echoing_ = true;
  while (!ended_) co_await wait(Clock::now() + std::chrono::hours(1));
  echoing_ = false;
}

}  // namespace irisx::voice
