// Recording a bridged call (Call::dial with DialOptions::record): the caller leg owns the
// recorder; its own packets are the left side, the packets relayed to it from the callee the
// right (or both mixed into one channel).
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "common/log.hpp"
#include "voice/calls/bridge_recorder.hpp"
#include "voice/calls/call.hpp"

namespace irisx::voice {

std::string Call::next_recording_path() {
  std::error_code ec;
  std::filesystem::create_directories(resources_.recordings_dir, ec);
  return resources_.recordings_dir + "/" + record_.id + "-" + std::to_string(++recordings_) +
         ".wav";
}

void Call::start_bridge_recording(RecordMode mode) {
  if (mode == RecordMode::none || bridge_recorder_ || ended_) return;
  const std::string path = next_recording_path();
  const auto layout = mode == RecordMode::dual ? audio::MixLayout::dual : audio::MixLayout::mono;
  std::string error;
  bridge_recorder_ = BridgeRecorder::start(resources_.executor, path, layout, error);
  if (!bridge_recorder_) {
    // The call goes on unrecorded, as Twilio's does when a recording cannot be made.
    log::get("voice")->error("call {}: cannot record the bridge: {}", record_.id, error);
    return;
  }
  // Set now: the record may be stored the moment the caller hangs up.
  record_.recording = path;
}

Recording Call::stop_bridge_recording() {
  if (!bridge_recorder_) return {};
  Recording out = bridge_recorder_->stop();
  bridge_recorder_.reset();
  return out;
}

void Call::record_bridged(std::size_t side, Codec codec, std::span<const std::uint8_t> payload) {
  if (bridge_recorder_)
    bridge_recorder_->push(static_cast<BridgeRecorder::Side>(side), codec, payload);
}

}  // namespace irisx::voice
