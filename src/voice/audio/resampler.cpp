#include "voice/audio/resampler.hpp"

#include <speex/speex_resampler.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace irisx::voice::audio {
namespace {

// Quality 4 (speex's default; 10 is best) keeps the passband flat to well above 3.4 kHz, the
// top of the telephone band, at roughly a third of the cost of quality 8. Everything here ends
// up as G.711 at 8 kHz, whose own noise floor hides the difference.
constexpr int kQuality = SPEEX_RESAMPLER_QUALITY_DEFAULT;

}  // namespace

struct Resampler::State {
  explicit State(SpeexResamplerState* s) : speex(s) {}
  ~State() { speex_resampler_destroy(speex); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  SpeexResamplerState* speex;
  bool flushed = false;
};

Resampler::Resampler(int in_rate, int out_rate) : in_rate_(in_rate), out_rate_(out_rate) {
  if (in_rate <= 0 || out_rate <= 0) {
    throw std::invalid_argument("resampler rates must be positive, got " + std::to_string(in_rate) +
                                " -> " + std::to_string(out_rate));
  }
  if (in_rate == out_rate) return;
  int error = 0;
  SpeexResamplerState* speex = speex_resampler_init(
      1, static_cast<spx_uint32_t>(in_rate), static_cast<spx_uint32_t>(out_rate), kQuality, &error);
  if (speex == nullptr) {
    throw std::runtime_error(std::string("speex_resampler_init: ") +
                             speex_resampler_strerror(error));
  }
  state_ = std::make_unique<State>(speex);
  // Without this the output starts with the filter's delay as silence and ends short of the
  // input: prompts would gain a gap at the front and lose their last few milliseconds.
  speex_resampler_skip_zeros(speex);
}

Resampler::~Resampler() = default;
Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;

Samples Resampler::process(std::span<const std::int16_t> input) {
  if (!state_) return Samples(input.begin(), input.end());
  // Room for the ratio's worth of output plus the rounding speex may add per call.
  Samples out(
      input.size() * static_cast<std::size_t>(out_rate_) / static_cast<std::size_t>(in_rate_) + 16);
  std::size_t consumed = 0;
  std::size_t produced = 0;
  while (consumed < input.size()) {
    if (produced == out.size()) out.resize(out.size() * 2);
    auto in_len = static_cast<spx_uint32_t>(input.size() - consumed);
    auto out_len = static_cast<spx_uint32_t>(out.size() - produced);
    speex_resampler_process_int(state_->speex, 0, input.data() + consumed, &in_len,
                                out.data() + produced, &out_len);
    consumed += in_len;
    produced += out_len;
    if (in_len == 0 && out_len == 0) break;  // cannot happen with room left; never spin
  }
  out.resize(produced);
  return out;
}

Samples Resampler::flush() {
  if (!state_ || state_->flushed) return {};
  state_->flushed = true;
  // Pushing the filter's input latency worth of silence through releases the real samples
  // still held in its history; skip_zeros() at the start keeps the total length right.
  const Samples silence(static_cast<std::size_t>(speex_resampler_get_input_latency(state_->speex)));
  return process(silence);
}

Samples resample(std::span<const std::int16_t> input, int in_rate, int out_rate) {
  Resampler resampler(in_rate, out_rate);
  if (input.empty()) return {};
  Samples out = resampler.process(input);
  Samples tail = resampler.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

}  // namespace irisx::voice::audio
