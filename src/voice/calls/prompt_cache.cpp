#include "voice/calls/prompt_cache.hpp"

#include <filesystem>
#include <system_error>

#include "voice/audio/wav.hpp"
#include "voice/codec.hpp"

namespace irisx::voice {

namespace {
// Longer prompts are decoded on every play rather than kept: 16 one-minute prompts are
// 15 MB per media thread, 16 ten-minute ones would be 150 MB.
constexpr std::size_t kMaxCachedSamples = std::size_t{60} * kSampleRate;
}  // namespace

PromptCache::Loaded PromptCache::load(const std::string& path) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  const auto size = ec ? 0 : std::filesystem::file_size(path, ec);
  std::string key;
  if (!ec) {
    key = path + '\n' + std::to_string(mtime.time_since_epoch().count()) + '\n' +
          std::to_string(size);
    if (auto hit = cache_.get(key)) return *hit;
  }
  auto loaded = audio::load_prompt(path);
  if (auto* error = std::get_if<std::string>(&loaded)) return *error;
  auto samples =
      std::make_shared<const audio::Samples>(std::move(std::get<audio::Samples>(loaded)));
  if (!key.empty() && samples->size() <= kMaxCachedSamples) cache_.put(key, samples);
  return samples;
}

}  // namespace irisx::voice
