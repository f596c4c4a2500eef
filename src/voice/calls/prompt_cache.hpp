#pragma once
// WAV prompts decoded once per media thread: an IVR plays the same few files to every caller,
// and decoding plus resampling a 44.1 kHz file costs more than a call's whole media tick.
// Keyed by path, modification time and size, so a file replaced on disk is read again.
#include <cstddef>
#include <memory>
#include <string>
#include <variant>

#include "voice/audio/pcm.hpp"
#include "voice/tts/lru_cache.hpp"

namespace irisx::voice {

class PromptCache {
 public:
  using Loaded = std::variant<std::shared_ptr<const audio::Samples>, std::string>;

  explicit PromptCache(std::size_t capacity = 16) : cache_(capacity) {}

  // The prompt at 8 kHz mono (audio::load_prompt), or why it could not be read.
  Loaded load(const std::string& path);

 private:
  tts::LruCache<std::shared_ptr<const audio::Samples>> cache_;
};

}  // namespace irisx::voice
