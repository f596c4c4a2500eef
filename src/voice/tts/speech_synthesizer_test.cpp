#include "voice/tts/speech_synthesizer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "common/crypto.hpp"
#include "voice/audio/test_signals.hpp"
#include "voice/audio/test_temp_dir.hpp"
#include "voice/audio/wav.hpp"

namespace irisx::voice::tts {
namespace {

using audio::testing::TempDir;

// Collects callback results and lets the test wait for a number of them (no timing assumed:
// the wait is for completions, however long they take).
class Results {
 public:
  std::function<void(SpeechResult)> callback() {
    return [this](SpeechResult r) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(r));
      threads_.push_back(std::this_thread::get_id());
      changed_.notify_all();
    };
  }
  std::vector<SpeechResult> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return results_.size() >= n; });
    return results_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SpeechResult> results_;
  std::vector<std::thread::id> threads_;
};

SpeechResult say(SpeechSynthesizer& tts, const std::string& text, const std::string& voice) {
  Results results;
  tts.synthesize(text, voice, results.callback());
  return results.wait_for(1).front();
}

std::shared_ptr<const audio::Samples> audio_of(const SpeechResult& result) {
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *error;
    return std::make_shared<const audio::Samples>();
  }
  return std::get<std::shared_ptr<const audio::Samples>>(result);
}

std::string error_of(const SpeechResult& result) {
  const auto* error = std::get_if<std::string>(&result);
  return error != nullptr ? *error : "<audio>";
}

TEST(SpeechSynthesizer, SpeaksHelloAsPlausibleAudio) {
  TempDir dir;
  SpeechSynthesizer tts(dir.path().string());
  const auto samples = audio_of(say(tts, "Hello from IRISX", "en"));
  const double seconds = static_cast<double>(samples->size()) / 8000;
  EXPECT_GT(seconds, 0.5);
  EXPECT_LT(seconds, 3.0);
  EXPECT_GT(audio::testing::rms(*samples), 300);  // speech, not silence
  EXPECT_EQ(tts.stats().synthesized, 1u);
}

TEST(SpeechSynthesizer, SecondRequestIsAMemoryHitWithTheSameAudio) {
  TempDir dir;
  SpeechSynthesizer tts(dir.path().string());
  const auto first = audio_of(say(tts, "Please hold", "en-us"));
  const auto second = audio_of(say(tts, "Please hold", "en-us"));
  EXPECT_EQ(first.get(), second.get());  // the same shared buffer, not a copy
  const SynthesizerStats stats = tts.stats();
  EXPECT_EQ(stats.synthesized, 1u);
  EXPECT_EQ(stats.memory_hits, 1u);
  EXPECT_EQ(stats.disk_hits, 0u);
}

TEST(SpeechSynthesizer, CacheIsKeyedByVoiceAndText) {
  TempDir dir;
  SpeechSynthesizer tts(dir.path().string());
  audio_of(say(tts, "Guten Tag", "de"));
  audio_of(say(tts, "Guten Tag", "en"));
  audio_of(say(tts, "Guten Abend", "de"));
  EXPECT_EQ(tts.stats().synthesized, 3u);
  EXPECT_EQ(tts.stats().memory_hits, 0u);
}

TEST(SpeechSynthesizer, NewSynthesizerHitsTheDiskCache) {
  TempDir dir;
  audio::Samples first;
  {
    SpeechSynthesizer tts(dir.path().string());
    first = *audio_of(say(tts, "Your call is important to us", "en"));
  }
  const auto file = dir.path() / (crypto::sha256_hex("en\nYour call is important to us") + ".wav");
  EXPECT_TRUE(std::filesystem::exists(file));
  SpeechSynthesizer again(dir.path().string());
  const auto second = audio_of(say(again, "Your call is important to us", "en"));
  EXPECT_EQ(*second, first);
  EXPECT_EQ(again.stats().disk_hits, 1u);
  EXPECT_EQ(again.stats().synthesized, 0u);
  // No temporary files are left beside the cache entry.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1u);
}

TEST(SpeechSynthesizer, CorruptCacheFileIsReplacedBySynthesis) {
  TempDir dir;
  const auto file = dir.path() / (crypto::sha256_hex("en\nGoodbye") + ".wav");
  std::filesystem::create_directories(dir.path());
  { std::ofstream(file) << "RIFF but then nothing useful"; }
  SpeechSynthesizer tts(dir.path().string());
  EXPECT_FALSE(audio_of(say(tts, "Goodbye", "en"))->empty());
  EXPECT_EQ(tts.stats().synthesized, 1u);
  EXPECT_TRUE(std::holds_alternative<audio::Samples>(audio::load_prompt(file.string())));
}

TEST(SpeechSynthesizer, WorksWithoutADiskCache) {
  SpeechSynthesizer tts("");
  EXPECT_FALSE(audio_of(say(tts, "No disk", "en"))->empty());
  EXPECT_FALSE(audio_of(say(tts, "No disk", "en"))->empty());
  EXPECT_EQ(tts.stats().memory_hits, 1u);
}

TEST(SpeechSynthesizer, UnknownVoiceIsAnError) {
  SpeechSynthesizer tts("");
  EXPECT_NE(error_of(say(tts, "Hello", "xx-nonexistent")).find("unknown voice"), std::string::npos);
  EXPECT_NE(error_of(say(tts, "Hello", "../../etc/passwd")).find("unknown voice"),
            std::string::npos);
  EXPECT_NE(error_of(say(tts, "Hello", "")).find("unknown voice"), std::string::npos);
  // The engine still works afterwards.
  EXPECT_FALSE(audio_of(say(tts, "Hello", "fr"))->empty());
  EXPECT_EQ(tts.stats().errors, 3u);
}

TEST(SpeechSynthesizer, EmptyAndOverlongTextAreErrors) {
  SpeechSynthesizer tts("");
  EXPECT_EQ(error_of(say(tts, "", "en")), "text is empty");
  EXPECT_NE(error_of(say(tts, std::string(kMaxTextBytes + 1, 'a'), "en")).find("longer than"),
            std::string::npos);
  EXPECT_EQ(tts.stats().synthesized, 0u);
}

TEST(SpeechSynthesizer, ConcurrentRequestsAllCompleteOnTheSynthesisThread) {
  TempDir dir;
  SpeechSynthesizer tts(dir.path().string());
  Results results;
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        // Ten distinct texts, each asked for twice.
        tts.synthesize("Number " + std::to_string((t * 5 + i) % 10), "en", results.callback());
      }
    });
  }
  for (auto& c : callers) c.join();
  const auto all = results.wait_for(20);
  ASSERT_EQ(all.size(), 20u);
  for (const auto& r : all) EXPECT_FALSE(audio_of(r)->empty());
  const auto threads = results.threads();
  for (const auto& id : threads) EXPECT_EQ(id, threads.front());
  EXPECT_NE(threads.front(), std::this_thread::get_id());
  const SynthesizerStats stats = tts.stats();
  EXPECT_EQ(stats.synthesized, 10u);
  EXPECT_EQ(stats.memory_hits, 10u);
}

TEST(SpeechSynthesizer, TwoSynthesizersInOneProcessShareEspeakSafely) {
  SpeechSynthesizer a("");
  SpeechSynthesizer b("");
  Results results;
  for (int i = 0; i < 3; ++i) {
    a.synthesize("Alpha " + std::to_string(i), "en", results.callback());
    b.synthesize("Bravo " + std::to_string(i), "de", results.callback());
  }
  for (const auto& r : results.wait_for(6)) EXPECT_FALSE(audio_of(r)->empty());
}

TEST(SpeechSynthesizer, DestructionAnswersEveryQueuedRequest) {
  Results results;
  {
    SpeechSynthesizer tts("");
    for (int i = 0; i < 10; ++i)
      tts.synthesize("Queued " + std::to_string(i), "en", results.callback());
  }
  // Each callback ran exactly once: with audio if its turn came, else "synthesizer stopped".
  const auto all = results.wait_for(10);
  ASSERT_EQ(all.size(), 10u);
  for (const auto& r : all) {
    if (const auto* error = std::get_if<std::string>(&r)) {
      EXPECT_EQ(*error, "synthesizer stopped");
    }
  }
}

}  // namespace
}  // namespace irisx::voice::tts
