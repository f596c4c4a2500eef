#include "voice/tts/speech_synthesizer.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "common/crypto.hpp"
#include "voice/audio/wav.hpp"
#include "voice/codec.hpp"
#include "voice/tts/espeak_engine.hpp"
#include "voice/tts/lru_cache.hpp"

namespace irisx::voice::tts {
namespace {

using SamplesPtr = std::shared_ptr<const audio::Samples>;

std::string cache_key(const std::string& voice, const std::string& text) {
  return voice + '\n' + text;
}

// espeak-ng voice names are short ASCII identifiers with optional "+variant"; anything else
// is refused before it reaches espeak-ng's file lookups.
bool plausible_voice(const std::string& voice) {
  if (voice.empty() || voice.size() > 64) return false;
  for (char c : voice) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '+';
    if (!ok) return false;
  }
  return true;
}

struct Job {
  std::string text;
  std::string voice;
  std::function<void(SpeechResult)> done;
  std::optional<SpeechResult> answer;  // set when known at submit time (hit or invalid)
};

}  // namespace

class SpeechSynthesizer::Worker {
 public:
  Worker(std::string cache_dir, std::size_t entries)
      : cache_dir_(std::move(cache_dir)), memory_(entries) {
    if (!cache_dir_.empty()) std::filesystem::create_directories(cache_dir_);
    thread_ = std::thread([this] { run(); });
  }

  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void submit(std::string text, std::string voice, std::function<void(SpeechResult)> done) {
    Job job{std::move(text), std::move(voice), std::move(done), std::nullopt};
    if (job.text.empty()) {
      job.answer = std::string("text is empty");
    } else if (job.text.size() > kMaxTextBytes) {
      job.answer = "text longer than " + std::to_string(kMaxTextBytes) + " bytes";
    } else if (!plausible_voice(job.voice)) {
      job.answer = "unknown voice '" + job.voice + "'";
    }
    {
      std::lock_guard lock(mutex_);
      if (!job.answer) {
        if (auto hit = memory_.get(cache_key(job.voice, job.text))) {
          ++stats_.memory_hits;
          job.answer = *hit;
        }
      }
      // Answers already known skip the queue of syntheses.
      (job.answer ? answered_ : pending_).push_back(std::move(job));
    }
    wake_.notify_one();
  }

  SynthesizerStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !answered_.empty() || !pending_.empty(); });
        if (stopping_) break;
        auto& queue = answered_.empty() ? pending_ : answered_;
        job = std::move(queue.front());
        queue.pop_front();
      }
      SpeechResult result = job.answer ? std::move(*job.answer) : produce(job);
      deliver(job, std::move(result));
    }
    // Stopping: whatever is still queued gets an answer, so no caller waits forever. Looped,
    // because a callback may itself submit a request.
    for (;;) {
      std::deque<Job> rest;
      {
        std::lock_guard lock(mutex_);
        rest.swap(answered_);
        for (Job& job : pending_) rest.push_back(std::move(job));
        pending_.clear();
      }
      if (rest.empty()) break;
      for (Job& job : rest) {
        deliver(job, job.answer ? std::move(*job.answer)
                                : SpeechResult(std::string("synthesizer stopped")));
      }
    }
  }

  void deliver(Job& job, SpeechResult result) {
    if (std::holds_alternative<std::string>(result)) {
      std::lock_guard lock(mutex_);
      ++stats_.errors;
    }
    job.done(std::move(result));
  }

  SpeechResult produce(const Job& job) {
    const std::string key = cache_key(job.voice, job.text);
    {
      // An identical request queued earlier may have filled the cache since this one arrived.
      std::lock_guard lock(mutex_);
      if (auto hit = memory_.get(key)) {
        ++stats_.memory_hits;
        return *hit;
      }
    }
    std::filesystem::path file;
    if (!cache_dir_.empty()) {
      file = std::filesystem::path(cache_dir_) / (crypto::sha256_hex(key) + ".wav");
      if (auto cached = read_cache(file)) {
        std::lock_guard lock(mutex_);
        ++stats_.disk_hits;
        memory_.put(key, cached);
        return cached;
      }
    }
    auto spoken = detail::espeak_synthesize(job.text, job.voice);
    if (auto* error = std::get_if<std::string>(&spoken)) return std::move(*error);
    auto samples =
        std::make_shared<const audio::Samples>(std::move(std::get<audio::Samples>(spoken)));
    const bool written = file.empty() || write_cache(file, *samples);
    std::lock_guard lock(mutex_);
    ++stats_.synthesized;
    if (!written) ++stats_.disk_write_errors;
    memory_.put(key, samples);
    return samples;
  }

  // A file that no longer loads (truncated by a full disk, edited by hand) is removed and the
  // text synthesized again.
  static SamplesPtr read_cache(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return nullptr;
    auto loaded = audio::load_prompt(file.string());
    if (auto* samples = std::get_if<audio::Samples>(&loaded)) {
      return std::make_shared<const audio::Samples>(std::move(*samples));
    }
    std::filesystem::remove(file, ec);
    return nullptr;
  }

  // Written under a temporary name and renamed into place (atomic within a directory), so a
  // crash mid-write leaves only a stray .tmp file, never a truncated <hash>.wav that a later
  // start would serve.
  static bool write_cache(const std::filesystem::path& file, const audio::Samples& samples) {
    const std::filesystem::path temp = file.string() + ".tmp." + crypto::random_hex(8);
    bool ok = false;
    {
      auto opened = audio::WavWriter::open(temp.string(), 1, kSampleRate);
      if (auto* writer = std::get_if<audio::WavWriter>(&opened)) {
        ok = writer->write(samples) && writer->close();
      }
    }
    std::error_code ec;
    if (ok) std::filesystem::rename(temp, file, ec);
    if (!ok || ec) {
      std::filesystem::remove(temp, ec);
      return false;
    }
    return true;
  }

  const std::string cache_dir_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<Job> answered_;  // answers known at submit time, delivered first
  std::deque<Job> pending_;   // need the disk cache or espeak-ng
  LruCache<SamplesPtr> memory_;
  SynthesizerStats stats_;
  std::thread thread_;  // last: starts after everything above exists
};

SpeechSynthesizer::SpeechSynthesizer(std::string cache_dir, std::size_t memory_cache_entries)
    : worker_(std::make_unique<Worker>(std::move(cache_dir), memory_cache_entries)) {}

SpeechSynthesizer::~SpeechSynthesizer() = default;

void SpeechSynthesizer::synthesize(std::string text, std::string voice,
                                   std::function<void(SpeechResult)> done) {
  worker_->submit(std::move(text), std::move(voice), std::move(done));
}

SynthesizerStats SpeechSynthesizer::stats() const {
  return worker_->stats();
}

}  // namespace irisx::voice::tts
