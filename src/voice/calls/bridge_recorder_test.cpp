#include "voice/calls/bridge_recorder.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <boost/asio/io_context.hpp>

#include <array>

#include "voice/audio/test_temp_dir.hpp"
#include "voice/media/g711.hpp"

namespace irisx::voice {
namespace {

using std::chrono::milliseconds;

struct Read {
  int channels = 0;
  int rate = 0;
  std::vector<std::int16_t> samples;  // interleaved
};

Read read_back(const std::string& path) {
  Read out;
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) return out;
  out.channels = info.channels;
  out.rate = info.samplerate;
  out.samples.resize(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_short(file, out.samples.data(), info.frames);
  sf_close(file);
  return out;
}

// One 20 ms PCMU packet holding a constant level.
std::array<std::uint8_t, kFrameSamples> pcmu_frame(std::int16_t level) {
  std::array<std::int16_t, kFrameSamples> pcm{};
  pcm.fill(level);
  std::array<std::uint8_t, kFrameSamples> payload{};
  media::encode(Codec::pcmu, pcm, payload);
  return payload;
}

// The io_context never runs: the tests move the slot clock themselves with write_until.
class BridgeRecorderTest : public ::testing::Test {
 protected:
  std::shared_ptr<BridgeRecorder> start(audio::MixLayout layout) {
    std::string error;
    auto recorder = BridgeRecorder::start(io_.get_executor(), path_, layout, error);
    EXPECT_TRUE(recorder) << error;
    return recorder;
  }

  boost::asio::io_context io_;
  audio::testing::TempDir dir_;
  std::string path_ = dir_.file("bridge.wav");
};

TEST_F(BridgeRecorderTest, EverySlotTheClockCoveredIsWrittenEvenWhenNeitherSideSentAnything) {
  auto recorder = start(audio::MixLayout::dual);
  recorder->write_until(recorder->started() + milliseconds(1005));
  const Recording recording = recorder->stop();
  EXPECT_EQ(recording.path, path_);
  EXPECT_EQ(recording.duration_ms, 1000) << "a partly covered slot is not written";
  const Read file = read_back(path_);
  EXPECT_EQ(file.channels, 2);
  EXPECT_EQ(file.rate, 8000);
  ASSERT_EQ(file.samples.size(), 2u * 8000);
  for (std::int16_t s : file.samples) ASSERT_EQ(s, 0);
}

TEST_F(BridgeRecorderTest, DualPutsTheCallerLeftAndTheCalleeRightInTheSlotTheirAudioArrivedFor) {
  auto recorder = start(audio::MixLayout::dual);
  const auto caller = pcmu_frame(4000);
  const auto callee = pcmu_frame(-4000);
  recorder->push(BridgeRecorder::caller, Codec::pcmu, caller);
  recorder->write_until(recorder->started() + milliseconds(20));
  recorder->push(BridgeRecorder::callee, Codec::pcmu, callee);
  recorder->write_until(recorder->started() + milliseconds(40));
  EXPECT_EQ(recorder->stop().duration_ms, 40);
  const Read file = read_back(path_);
  ASSERT_EQ(file.samples.size(), 2u * 2 * kFrameSamples);
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    ASSERT_NEAR(file.samples[2 * i], 4000, 150) << i;  // G.711 quantisation
    ASSERT_EQ(file.samples[2 * i + 1], 0) << i;
  }
  for (std::size_t i = kFrameSamples; i < 2 * kFrameSamples; ++i) {
    ASSERT_EQ(file.samples[2 * i], 0) << i;
    ASSERT_NEAR(file.samples[2 * i + 1], -4000, 150) << i;
  }
}

TEST_F(BridgeRecorderTest, MonoMixesBothPartiesIntoOneChannel) {
  auto recorder = start(audio::MixLayout::mono);
  recorder->push(BridgeRecorder::caller, Codec::pcmu, pcmu_frame(3000));
  recorder->push(BridgeRecorder::callee, Codec::pcmu, pcmu_frame(2000));
  recorder->write_until(recorder->started() + milliseconds(20));
  EXPECT_EQ(recorder->stop().duration_ms, 20);
  const Read file = read_back(path_);
  EXPECT_EQ(file.channels, 1);
  ASSERT_EQ(file.samples.size(), kFrameSamples);
  EXPECT_NEAR(file.samples[0], 5000, 200);
}

TEST_F(BridgeRecorderTest, AudioAfterStopIsNotWrittenAndStopAnswersTheSameAgain) {
  auto recorder = start(audio::MixLayout::mono);
  recorder->write_until(recorder->started() + milliseconds(60));
  const Recording first = recorder->stop();
  recorder->push(BridgeRecorder::caller, Codec::pcmu, pcmu_frame(3000));
  recorder->write_until(recorder->started() + milliseconds(200));
  const Recording again = recorder->stop();
  EXPECT_EQ(first.duration_ms, 60);
  EXPECT_EQ(again.duration_ms, 60);
  EXPECT_EQ(read_back(path_).samples.size(), 3u * kFrameSamples);
}

TEST(BridgeRecorder, AFileThatCannotBeCreatedIsRefusedWithTheReason) {
  boost::asio::io_context io;
  std::string error;
  auto recorder = BridgeRecorder::start(io.get_executor(), "/nonexistent-dir/x/bridge.wav",
                                        audio::MixLayout::dual, error);
  EXPECT_FALSE(recorder);
  EXPECT_NE(error.find("/nonexistent-dir/x/bridge.wav"), std::string::npos) << error;
}

}  // namespace
}  // namespace irisx::voice
