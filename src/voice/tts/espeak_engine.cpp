#include "voice/tts/espeak_engine.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "voice/audio/resampler.hpp"
#include "voice/codec.hpp"

namespace irisx::voice::tts::detail {
namespace {

// Upper bound on one utterance (at espeak's 22.05 kHz): 15 minutes is far beyond what the
// synthesizer's text limit produces, so hitting it means espeak ran away.
constexpr std::size_t kMaxSamples = std::size_t{22050} * 60 * 15;

// Everything below is guarded by engine_mutex(): espeak-ng's state is process-global.
std::mutex& engine_mutex() {
  static std::mutex m;
  return m;
}

struct Collector {
  audio::Samples samples;
  bool overflow = false;
};
Collector* g_collector = nullptr;  // the utterance in progress, set under engine_mutex()

int on_samples(short* wav, int count, espeak_EVENT* /*events*/) {
  if (g_collector == nullptr) return 1;
  if (wav == nullptr || count <= 0) return 0;  // end of utterance marker
  auto& s = g_collector->samples;
  if (s.size() + static_cast<std::size_t>(count) > kMaxSamples) {
    g_collector->overflow = true;
    return 1;  // abort synthesis
  }
  s.insert(s.end(), wav, wav + count);
  return 0;
}

std::string status_message(espeak_ng_STATUS status) {
  char text[512] = {};
  espeak_ng_GetStatusCodeMessage(status, text, sizeof text);
  return text;
}

// Empty on success; otherwise why espeak-ng is unusable. Computed once.
const std::string& initialise() {
  static const std::string error = []() -> std::string {
    // nullptr: the path compiled into Debian's build (/usr/lib/x86_64-linux-gnu/espeak-ng-data)
    // or $ESPEAK_DATA_PATH.
    espeak_ng_InitializePath(nullptr);
    espeak_ng_ERROR_CONTEXT context = nullptr;
    espeak_ng_STATUS status = espeak_ng_Initialize(&context);
    if (status != ENS_OK) {
      espeak_ng_ClearErrorContext(&context);
      return "espeak-ng failed to initialise: " + status_message(status);
    }
    status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
    if (status != ENS_OK) return "espeak-ng output failed to initialise: " + status_message(status);
    espeak_SetSynthCallback(on_samples);
    return {};
  }();
  return error;
}

}  // namespace

std::variant<audio::Samples, std::string> espeak_synthesize(const std::string& text,
                                                            const std::string& voice) {
  int rate = 0;
  Collector collector;
  {
    std::lock_guard lock(engine_mutex());
    if (const std::string& error = initialise(); !error.empty()) return error;
    const espeak_ERROR chosen = espeak_SetVoiceByName(voice.c_str());
    if (chosen == EE_NOT_FOUND) return "unknown voice '" + voice + "'";
    if (chosen != EE_OK) return "espeak-ng cannot load voice '" + voice + "'";
    rate = espeak_ng_GetSampleRate();
    g_collector = &collector;
    // Plain text only (no espeakSSML): the text comes from tenants' call documents.
    const espeak_ERROR result = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                             espeakCHARS_UTF8, nullptr, nullptr);
    g_collector = nullptr;
    if (collector.overflow) return "speech too long";
    if (result != EE_OK) return "espeak-ng synthesis failed";
  }
  // Resampling needs no lock; do it after releasing espeak for the next utterance.
  if (collector.samples.empty()) return "espeak-ng produced no audio";
  if (rate <= 0) return "espeak-ng reported no sample rate";
  return audio::resample(collector.samples, rate, kSampleRate);
}

}  // namespace irisx::voice::tts::detail
