#pragma once
// Builds the voice engine from configuration (the `voice` role).
#include <memory>

#include "common/config.hpp"
#include "voice/engine.hpp"

namespace irisx::app {

std::unique_ptr<voice::VoiceEngine> start_voice(const Config& config, voice::RecordSink records);

}  // namespace irisx::app
