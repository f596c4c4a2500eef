#pragma once
// Reads the WAV files the engine records, byte by byte (RIFF chunks walked, not assumed), so
// the tests check the file itself rather than trust the library that wrote it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace irisx::testing {

struct WavInfo {
  int channels = 0;
  int rate = 0;
  std::int64_t samples = 0;                        // per channel
  std::int64_t nonzero = 0;                        // over all channels
  std::vector<std::vector<std::int16_t>> channel;  // each channel's samples, de-interleaved
};

// A 16-bit PCM WAV; nullopt when the file is not one.
std::optional<WavInfo> read_wav(const std::string& path);

}  // namespace irisx::testing
