#pragma once
// Builds the voice engine from configuration (the `voice` role).
#include <memory>

#include "common/config.hpp"
#include "voice/engine.hpp"

namespace irisx::app {

// `registrar` answers REGISTER when voice.registrar is on (it needs the store, which the
// caller owns).
std::unique_ptr<voice::VoiceEngine> start_voice(const Config& config, voice::RecordSink records,
                                                voice::RegisterHandler registrar);

}  // namespace irisx::app
