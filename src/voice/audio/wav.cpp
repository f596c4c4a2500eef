#include "voice/audio/wav.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "voice/audio/resampler.hpp"
#include "voice/codec.hpp"

namespace irisx::voice::audio {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

bool is_wav_container(int format) {
  const int major = format & SF_FORMAT_TYPEMASK;
  return major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64;
}

// libsndfile hands every encoding over as float in [-1, 1] (integer formats are normalised by
// 1/32768), so scaling back by 32768 restores 8- and 16-bit samples exactly; float files may
// exceed full scale and are clipped.
std::int16_t to_int16(float value) {
  return saturate(static_cast<std::int32_t>(std::lround(value * 32768.0f)));
}

}  // namespace

std::variant<Samples, std::string> load_prompt(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return "no such file: " + path;
  if (!std::filesystem::is_regular_file(status)) return "not a regular file: " + path;

  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) return "not a readable audio file: " + path + " (" + sf_strerror(nullptr) + ")";
  if (!is_wav_container(info.format)) return "not a WAV file: " + path;
  if (info.channels <= 0 || info.samplerate <= 0) return "invalid WAV header: " + path;
  if (info.frames <= 0) return "no audio in " + path;
  if (info.frames / info.samplerate > kMaxPromptSeconds) {
    return "prompt longer than " + std::to_string(kMaxPromptSeconds) + " s: " + path;
  }

  // Read in blocks so a 48 kHz stereo file never exists in memory all at once.
  constexpr sf_count_t kBlockFrames = 4096;
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> block(static_cast<std::size_t>(kBlockFrames) * channels);
  Samples mono(static_cast<std::size_t>(kBlockFrames));
  Resampler resampler(info.samplerate, kSampleRate);
  Samples out;
  out.reserve(static_cast<std::size_t>(info.frames * kSampleRate / info.samplerate + 16));
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), block.data(), kBlockFrames);
    if (got <= 0) break;
    const auto frames = static_cast<std::size_t>(got);
    for (std::size_t f = 0; f < frames; ++f) {
      float sum = 0;
      for (std::size_t c = 0; c < channels; ++c) sum += block[f * channels + c];
      mono[f] = to_int16(sum / static_cast<float>(channels));
    }
    const Samples part = resampler.process(std::span<const std::int16_t>(mono.data(), frames));
    out.insert(out.end(), part.begin(), part.end());
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    return "cannot read " + path + ": " + sf_strerror(file.get());
  }
  const Samples tail = resampler.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  if (out.empty()) return "no audio in " + path;
  return out;
}

struct WavWriter::Handle {
  SndfilePtr file;
};

WavWriter::WavWriter(std::unique_ptr<Handle> handle, int channels)
    : handle_(std::move(handle)), channels_(channels) {}
WavWriter::WavWriter(WavWriter&&) noexcept = default;
WavWriter& WavWriter::operator=(WavWriter&&) noexcept = default;
WavWriter::~WavWriter() {
  close();
}

std::variant<WavWriter, std::string> WavWriter::open(const std::string& path, int channels,
                                                     int rate) {
  if (channels < 1 || channels > 8) return "unsupported channel count " + std::to_string(channels);
  if (rate <= 0) return "unsupported sample rate " + std::to_string(rate);
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SndfilePtr file(sf_open(path.c_str(), SFM_WRITE, &info));
  if (!file) return "cannot create " + path + ": " + sf_strerror(nullptr);
  // Rewrites the RIFF and data chunk sizes after each write: two small pwrites per 20 ms frame,
  // in exchange for a file that stays playable if the process dies mid-recording. The
  // alternative, sizes written only at close, leaves a header claiming no audio.
  sf_command(file.get(), SFC_SET_UPDATE_HEADER_AUTO, nullptr, SF_TRUE);
  return WavWriter(std::make_unique<Handle>(Handle{std::move(file)}), channels);
}

bool WavWriter::write(std::span<const std::int16_t> interleaved) {
  if (!handle_ || !handle_->file) {
    if (error_.empty()) error_ = "writer is closed";
    return false;
  }
  if (!error_.empty()) return false;
  assert(interleaved.size() % static_cast<std::size_t>(channels_) == 0);
  const auto frames =
      static_cast<sf_count_t>(interleaved.size() / static_cast<std::size_t>(channels_));
  if (frames == 0) return true;
  const sf_count_t written = sf_writef_short(handle_->file.get(), interleaved.data(), frames);
  if (written > 0) frames_ += written;
  if (written != frames) {
    error_ = std::string("write failed: ") + sf_strerror(handle_->file.get());
    return false;
  }
  return true;
}

bool WavWriter::close() {
  if (!handle_ || !handle_->file) return error_.empty();
  const int rc = sf_close(handle_->file.release());
  if (rc != 0 && error_.empty()) error_ = std::string("close failed: ") + sf_error_number(rc);
  return error_.empty();
}

Samples interleave(std::span<const std::int16_t> left, std::span<const std::int16_t> right) {
  const std::size_t n = std::max(left.size(), right.size());
  Samples out(2 * n, 0);
  for (std::size_t i = 0; i < left.size(); ++i) out[2 * i] = left[i];
  for (std::size_t i = 0; i < right.size(); ++i) out[2 * i + 1] = right[i];
  return out;
}

}  // namespace irisx::voice::audio
