#include "voice/calls/bridge_recorder.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <variant>

#include "voice/media/g711.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kSlot = std::chrono::milliseconds(kFrameMs);
constexpr std::size_t kMaxPayload = 480;  // 60 ms of G.711, the most a relayed packet holds
}  // namespace

std::shared_ptr<BridgeRecorder> BridgeRecorder::start(asio::any_io_executor executor,
                                                      const std::string& path,
                                                      audio::MixLayout layout, std::string& error) {
  const int channels = layout == audio::MixLayout::dual ? 2 : 1;
  auto opened = audio::WavWriter::open(path, channels);
  if (auto* why = std::get_if<std::string>(&opened)) {
    error = *why;
    return nullptr;
  }
  auto recorder = std::make_shared<BridgeRecorder>(
      executor, path, std::move(std::get<audio::WavWriter>(opened)), layout);
  asio::co_spawn(executor, tick(recorder), asio::detached);
  return recorder;
}

BridgeRecorder::BridgeRecorder(asio::any_io_executor executor, std::string path,
                               audio::WavWriter writer, audio::MixLayout layout)
    : timer_(executor),
      path_(std::move(path)),
      writer_(std::move(writer)),
      mixer_(layout),
      started_(Clock::now()) {}

void BridgeRecorder::push(Side side, Codec codec, std::span<const std::uint8_t> payload) {
  if (stopped_ || payload.size() > kMaxPayload) return;
  std::array<std::int16_t, kMaxPayload> pcm{};
  const auto samples = std::span<std::int16_t>(pcm.data(), payload.size());
  media::decode(codec, payload, samples);
  mixer_.push(side, samples);
}

// Slots follow the wall clock from the start, not the ticks: a late tick (a busy core) writes
// every slot it missed, so the file's length is the time it covers.
void BridgeRecorder::write_until(Clock::time_point now) {
  if (stopped_ || failed_) return;
  const std::int64_t due = (now - started_) / kSlot;
  while (slots_ < due) {
    const audio::Samples slot = mixer_.take_slot();
    if (!writer_.write(slot)) {  // disk full: keep what is there, stop growing
      failed_ = true;
      return;
    }
    ++slots_;
  }
}

asio::awaitable<void> BridgeRecorder::tick(std::shared_ptr<BridgeRecorder> self) {
  while (!self->stopped_ && !self->failed_) {
    self->timer_.expires_at(self->started_ + (self->slots_ + 1) * kSlot);
    boost::system::error_code ec;
    co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (self->stopped_) break;
    self->write_until(Clock::now());
  }
}

Recording BridgeRecorder::stop() {
  if (!stopped_) {
    write_until(Clock::now());
    stopped_ = true;
    writer_.close();
    timer_.cancel();
  }
  return Recording{path_, slots_ * kFrameMs};
}

}  // namespace irisx::voice
