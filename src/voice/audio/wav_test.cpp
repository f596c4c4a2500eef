#include "voice/audio/wav.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <fstream>
#include <string>
#include <vector>

#include "voice/audio/test_signals.hpp"
#include "voice/audio/test_temp_dir.hpp"

namespace irisx::voice::audio {
namespace {

using testing::goertzel_amplitude;
using testing::rising_zero_crossings;
using testing::sine;
using testing::TempDir;

Samples loaded(std::variant<Samples, std::string> result) {
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *error;
    return {};
  }
  return std::move(std::get<Samples>(result));
}

std::string error_of(const std::variant<Samples, std::string>& result) {
  const auto* error = std::get_if<std::string>(&result);
  return error != nullptr
             ? *error
             : "<loaded " + std::to_string(std::get<Samples>(result).size()) + " samples>";
}

WavWriter open_writer(const std::string& path, int channels, int rate = 8000) {
  auto result = WavWriter::open(path, channels, rate);
  if (auto* error = std::get_if<std::string>(&result)) throw std::runtime_error(*error);
  return std::move(std::get<WavWriter>(result));
}

// Writes one second of a 1 kHz tone at 16000/32768 of full scale on the first channel (the
// others silent) with libsndfile in the given encoding.
void write_tone_file(const std::string& path, int rate, int channels, int format) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
  const std::vector<double> tone = [&] {
    std::vector<double> t(static_cast<std::size_t>(rate));
    const Samples s = sine(1000, 16000, t.size(), rate);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = s[i] / 32768.0;
    return t;
  }();
  std::vector<double> frames(tone.size() * static_cast<std::size_t>(channels), 0.0);
  for (std::size_t i = 0; i < tone.size(); ++i)
    frames[i * static_cast<std::size_t>(channels)] = tone[i];
  ASSERT_EQ(sf_writef_double(file, frames.data(), static_cast<sf_count_t>(tone.size())),
            static_cast<sf_count_t>(tone.size()));
  sf_close(file);
}

struct Format {
  const char* name;
  int rate;
  int channels;
  int format;
};

TEST(Wav, LoadsEveryCommonEncodingAsEightKilohertzMono) {
  const Format formats[] = {
      {"pcm16-8k-mono", 8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"pcm16-16k-mono", 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"pcm16-22k-mono", 22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"pcm16-44k-stereo", 44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"pcm16-48k-stereo", 48000, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"pcmu8-8k-mono", 8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_U8},
      {"pcm24-48k-mono", 48000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_24},
      {"float-44k-stereo", 44100, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT},
      {"ulaw-8k-mono", 8000, 1, SF_FORMAT_WAV | SF_FORMAT_ULAW},
      {"alaw-8k-mono", 8000, 1, SF_FORMAT_WAV | SF_FORMAT_ALAW},
      {"wavex-pcm16-16k-stereo", 16000, 2, SF_FORMAT_WAVEX | SF_FORMAT_PCM_16},
  };
  TempDir dir;
  for (const Format& f : formats) {
    SCOPED_TRACE(f.name);
    const std::string path = dir.file(std::string(f.name) + ".wav");
    write_tone_file(path, f.rate, f.channels, f.format);
    const Samples samples = loaded(load_prompt(path));
    EXPECT_NEAR(static_cast<double>(samples.size()), 8000, 8);
    EXPECT_NEAR(static_cast<double>(rising_zero_crossings(samples)), 1000, 3);
    // Stereo with silence on the right averages to half the level.
    const double expected = 16000.0 / f.channels;
    if (samples.size() >= 7600) {
      const std::span<const std::int16_t> middle(samples.data() + 400, 7200);
      EXPECT_NEAR(goertzel_amplitude(middle, 1000, 8000), expected, expected * 0.06);
    }
  }
}

TEST(Wav, MonoRecordingReadsBackSampleForSample) {
  TempDir dir;
  const std::string path = dir.file("mono.wav");
  const Samples tone = sine(440, 20000, 4000, 8000);
  {
    WavWriter writer = open_writer(path, 1);
    for (std::size_t i = 0; i < tone.size(); i += 160) {
      EXPECT_TRUE(writer.write(std::span(tone).subspan(i, 160)));
    }
    EXPECT_EQ(writer.frames(), 4000);
    EXPECT_TRUE(writer.close());
  }
  EXPECT_EQ(loaded(load_prompt(path)), tone);
}

TEST(Wav, TwoChannelRecordingKeepsBothSides) {
  TempDir dir;
  const std::string path = dir.file("stereo.wav");
  const Samples left = sine(440, 8000, 8000, 8000);
  const Samples right = sine(1000, 8000, 6000, 8000);  // shorter: padded with silence
  const Samples both = interleave(left, right);
  ASSERT_EQ(both.size(), 16000u);
  EXPECT_EQ(both[2 * 7000 + 1], 0);
  {
    WavWriter writer = open_writer(path, 2);
    EXPECT_TRUE(writer.write(both));
    EXPECT_EQ(writer.frames(), 8000);
  }  // the destructor closes
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(info.channels, 2);
  EXPECT_EQ(info.samplerate, 8000);
  EXPECT_EQ(info.frames, 8000);
  Samples back(16000);
  EXPECT_EQ(sf_readf_short(file, back.data(), 8000), 8000);
  sf_close(file);
  EXPECT_EQ(back, both);
  // Mono load averages the sides: (left + right) / 2.
  const Samples mono = loaded(load_prompt(path));
  ASSERT_EQ(mono.size(), 8000u);
  EXPECT_NEAR(mono[100], (left[100] + right[100]) / 2, 1);
}

TEST(Wav, HeaderIsValidBeforeCloseSoACrashedRecordingStillPlays) {
  TempDir dir;
  const std::string path = dir.file("unclosed.wav");
  WavWriter writer = open_writer(path, 1);
  const Samples tone = sine(440, 8000, 1600, 8000);
  ASSERT_TRUE(writer.write(tone));
  // Read while the writer is still open, as after a crash.
  const Samples samples = loaded(load_prompt(path));
  EXPECT_EQ(samples, tone);
}

TEST(Wav, WriterRecordsAtOtherRates) {
  TempDir dir;
  const std::string path = dir.file("16k.wav");
  {
    WavWriter writer = open_writer(path, 1, 16000);
    EXPECT_TRUE(writer.write(sine(1000, 8000, 16000, 16000)));
  }
  const Samples samples = loaded(load_prompt(path));
  EXPECT_NEAR(static_cast<double>(samples.size()), 8000, 8);
}

TEST(Wav, MovedWriterKeepsTheFile) {
  TempDir dir;
  WavWriter a = open_writer(dir.file("moved.wav"), 1);
  WavWriter b = std::move(a);
  EXPECT_TRUE(b.write(Samples(160, 100)));
  EXPECT_TRUE(b.close());
  EXPECT_FALSE(b.write(Samples(160, 100)));
  EXPECT_EQ(loaded(load_prompt(dir.file("moved.wav"))).size(), 160u);
}

TEST(Wav, OpenReportsWhyItCannotCreateTheFile) {
  TempDir dir;
  auto missing_dir = WavWriter::open(dir.file("no/such/dir.wav"), 1);
  ASSERT_TRUE(std::holds_alternative<std::string>(missing_dir));
  EXPECT_NE(std::get<std::string>(missing_dir).find("cannot create"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<std::string>(WavWriter::open(dir.file("x.wav"), 0)));
  EXPECT_TRUE(std::holds_alternative<std::string>(WavWriter::open(dir.file("x.wav"), 1, 0)));
}

TEST(Wav, MissingFileIsAnError) {
  TempDir dir;
  EXPECT_NE(error_of(load_prompt(dir.file("absent.wav"))).find("no such file"), std::string::npos);
  EXPECT_NE(error_of(load_prompt(dir.path().string())).find("not a regular file"),
            std::string::npos);
}

TEST(Wav, GarbageFileIsAnError) {
  TempDir dir;
  const std::string path = dir.file("garbage.wav");
  std::ofstream(path) << "this is not a RIFF file at all, just text pretending to be audio";
  EXPECT_NE(error_of(load_prompt(path)).find("not a readable audio file"), std::string::npos);
}

TEST(Wav, NonWavAudioIsRefused) {
  TempDir dir;
  const std::string path = dir.file("tone.aiff");
  write_tone_file(path, 8000, 1, SF_FORMAT_AIFF | SF_FORMAT_PCM_16);
  EXPECT_NE(error_of(load_prompt(path)).find("not a WAV file"), std::string::npos);
}

TEST(Wav, EmptyWavIsAnError) {
  TempDir dir;
  const std::string path = dir.file("empty.wav");
  { WavWriter writer = open_writer(path, 1); }
  EXPECT_NE(error_of(load_prompt(path)).find("no audio"), std::string::npos);
}

}  // namespace
}  // namespace irisx::voice::audio
