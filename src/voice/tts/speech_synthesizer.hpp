#pragma once
// Text to speech for Say verbs: espeak-ng on one dedicated thread (espeak-ng is not
// thread-safe), 8 kHz mono PCM out, with an in-memory LRU and an on-disk WAV cache so a
// prompt said on every call is synthesized once per machine.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "voice/audio/pcm.hpp"

namespace irisx::voice::tts {

// Longer texts are refused: at espeak's default rate 4,000 characters is ~4 minutes of speech.
constexpr std::size_t kMaxTextBytes = 4000;

using SpeechResult = std::variant<std::shared_ptr<const audio::Samples>, std::string>;

struct SynthesizerStats {
  std::uint64_t synthesized = 0;  // utterances espeak-ng produced
  std::uint64_t memory_hits = 0;
  std::uint64_t disk_hits = 0;
  std::uint64_t errors = 0;             // requests answered with an error string
  std::uint64_t disk_write_errors = 0;  // cache files that could not be written (result still
                                        // delivered)
};

class SpeechSynthesizer {
 public:
  // `cache_dir` is created if missing (throws std::filesystem::filesystem_error if it cannot
  // be); an empty string disables the disk cache. Files are named
  // <sha256 hex of voice + '\n' + text>.wav and never evicted here.
  explicit SpeechSynthesizer(std::string cache_dir, std::size_t memory_cache_entries = 256);
  // Lets the utterance being synthesized finish and deliver; requests still queued are then
  // completed on the synthesis thread (those answered from memory or refused at submit time
  // with that answer, the rest with the error "synthesizer stopped"), and the thread joined.
  ~SpeechSynthesizer();
  SpeechSynthesizer(const SpeechSynthesizer&) = delete;
  SpeechSynthesizer& operator=(const SpeechSynthesizer&) = delete;

  // Thread-safe; never blocks on synthesis. `done` runs exactly once, on the synthesis thread
  // (post to your own executor from it; it must not throw), with 8 kHz mono PCM or a reason:
  // empty or too long text, unknown voice, espeak-ng failure, stopped. `voice` is an espeak-ng
  // voice name ("en", "en-us", "de", "fr", ...; variants such as "en+f3" too). Cached results
  // are answered before queued syntheses and never touch espeak-ng.
  void synthesize(std::string text, std::string voice, std::function<void(SpeechResult)> done);

  SynthesizerStats stats() const;

 private:
  class Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace irisx::voice::tts
