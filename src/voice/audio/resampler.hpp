#pragma once
// Sample-rate conversion for audio entering the engine (prompts at 16/22.05/44.1/48 kHz, TTS
// at 22.05 kHz) and for wideband codecs later. Wraps speexdsp's resampler.
#include <memory>
#include <span>

#include "voice/audio/pcm.hpp"

namespace irisx::voice::audio {

// A streaming converter for one mono signal: feed blocks of any size to process(), then call
// flush() once at the end of the signal for the samples still inside the filter. The output is
// aligned with the input (the filter's start-up delay is skipped), so process() + flush()
// yields about size * out_rate / in_rate samples in total. Equal rates pass samples through
// untouched. Not thread-safe; move-only.
class Resampler {
 public:
  // Throws std::invalid_argument for a non-positive rate.
  Resampler(int in_rate, int out_rate);
  ~Resampler();
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;

  Samples process(std::span<const std::int16_t> input);
  // Drains the filter. Call once, after the last process(); the resampler is then spent.
  Samples flush();

  int in_rate() const { return in_rate_; }
  int out_rate() const { return out_rate_; }

 private:
  struct State;
  int in_rate_;
  int out_rate_;
  std::unique_ptr<State> state_;  // null when the rates are equal
};

// One-shot conversion of a whole signal.
Samples resample(std::span<const std::int16_t> input, int in_rate, int out_rate);

}  // namespace irisx::voice::audio
