#pragma once
// The recording of a bridged call (Call::dial with RecordMode mono or dual): both legs' G.711
// decoded as the relay passes it, written to one WAV in 20 ms slots of the wall clock, so the
// file lasts as long as the bridge did whatever either side sent. Lives on the caller's media
// thread, where both legs' packets arrive.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "voice/audio/frame_mixer.hpp"
#include "voice/audio/wav.hpp"
#include "voice/calls/recording.hpp"
#include "voice/codec.hpp"

namespace irisx::voice {

class BridgeRecorder : public std::enable_shared_from_this<BridgeRecorder> {
 public:
  enum Side : std::size_t { caller = 0, callee = 1 };

  // Creates `path` and starts the slot clock; null with `error` set when the file cannot be made.
  static std::shared_ptr<BridgeRecorder> start(boost::asio::any_io_executor executor,
                                               const std::string& path, audio::MixLayout layout,
                                               std::string& error);
  BridgeRecorder(boost::asio::any_io_executor executor, std::string path, audio::WavWriter writer,
                 audio::MixLayout layout);

  // One packet's G.711 payload from `side`.
  void push(Side side, Codec codec, std::span<const std::uint8_t> payload);
  // Writes every slot whose 20 ms have passed by `now` (the running clock calls it with the
  // time; tests with theirs). Slots count from started(), not from the ticks.
  void write_until(std::chrono::steady_clock::time_point now);
  // Writes the slots due up to now and closes the file; later calls return the same result.
  Recording stop();
  bool stopped() const { return stopped_; }
  std::chrono::steady_clock::time_point started() const { return started_; }

 private:
  static boost::asio::awaitable<void> tick(std::shared_ptr<BridgeRecorder> self);

  boost::asio::steady_timer timer_;
  std::string path_;
  audio::WavWriter writer_;
  audio::FrameSlotMixer mixer_;
  std::chrono::steady_clock::time_point started_;
  std::int64_t slots_ = 0;
  bool stopped_ = false;
  bool failed_ = false;
};

}  // namespace irisx::voice
