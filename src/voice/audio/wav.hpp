#pragma once
// WAV files at the edge of the engine: prompts in (any common WAV encoding, converted to the
// engine's 8 kHz mono PCM) and recordings out (16-bit PCM, mono or two-channel). libsndfile
// does the parsing and writing.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>

#include "voice/audio/pcm.hpp"

namespace irisx::voice::audio {

// Longer prompts are refused rather than held in memory (10 minutes is 9.6 MB at 8 kHz).
constexpr int kMaxPromptSeconds = 600;

// Reads a WAV (RIFF, WAVE_FORMAT_EXTENSIBLE or RF64) file in 8/16/24/32-bit PCM, float,
// µ-law or A-law at any sample rate and channel count; channels are averaged to mono and the
// result resampled to voice::kSampleRate. On failure the string says why (no such file, not
// a WAV file, no audio, too long), suitable for a call's error log.
std::variant<Samples, std::string> load_prompt(const std::string& path);

// Writes 16-bit PCM WAV. The header is rewritten after every write(), so a recording cut off
// by a crash or kill is still a valid file holding everything written up to the last call.
// Move-only; the destructor closes the file.
class WavWriter {
 public:
  // channels in [1, 8], rate > 0. Creates or truncates `path`.
  static std::variant<WavWriter, std::string> open(const std::string& path, int channels,
                                                   int rate = 8000);

  WavWriter(WavWriter&&) noexcept;
  WavWriter& operator=(WavWriter&&) noexcept;
  ~WavWriter();

  // `interleaved` holds whole frames (channels() samples each; a trailing partial frame is a
  // caller bug and is dropped). Returns false when the file could not take them (disk full,
  // I/O error, closed); error() then says why and later writes fail too.
  bool write(std::span<const std::int16_t> interleaved);
  std::int64_t frames() const { return frames_; }  // frames written so far
  int channels() const { return channels_; }
  const std::string& error() const { return error_; }
  // Closes the file (later writes fail); idempotent. Returns false if any write or the close
  // failed, with error() saying which.
  bool close();

 private:
  struct Handle;
  WavWriter(std::unique_ptr<Handle> handle, int channels);

  std::unique_ptr<Handle> handle_;
  int channels_ = 1;
  std::int64_t frames_ = 0;
  std::string error_;
};

// Two mono signals as one two-channel stream (left, right, left, ...), e.g. caller and callee
// of a recording. The shorter side is padded with silence.
Samples interleave(std::span<const std::int16_t> left, std::span<const std::int16_t> right);

}  // namespace irisx::voice::audio
