#pragma once
// espeak-ng behind one function. espeak-ng keeps all its state in globals, so every call in
// the process is serialised here, whichever SpeechSynthesizer thread makes it. Internal to
// src/voice/tts.
#include <string>
#include <variant>

#include "voice/audio/pcm.hpp"

namespace irisx::voice::tts::detail {

// Speaks `text` (UTF-8, no SSML) with the espeak-ng voice `voice` and returns 8 kHz mono PCM,
// or why not (unknown voice, espeak-ng not installed or failing). The first call initialises
// espeak-ng for the life of the process: espeak-ng 1.51 deadlocks in espeak_ng_Terminate()
// after a second espeak_ng_Initialize(), so it is never terminated.
std::variant<audio::Samples, std::string> espeak_synthesize(const std::string& text,
                                                            const std::string& voice);

}  // namespace irisx::voice::tts::detail
