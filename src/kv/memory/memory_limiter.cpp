#include "kv/memory/memory_limiter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace irisx::kv {
namespace {

// Sharded so that request threads rarely contend on one mutex.
constexpr std::size_t kShards = 16;

struct BucketState {
  double tokens;
  std::int64_t updated_ms;
};

struct Shard {
  std::mutex mutex;
  std::unordered_map<std::string, BucketState> buckets;
  std::unordered_map<std::string, std::deque<std::int64_t>> failures;
  std::size_t ops_since_sweep = 0;
};

class MemoryLimiter final : public Limiter {
 public:
  Decision take(std::string_view key, const Bucket& bucket, std::int64_t now_ms) override {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    maybe_sweep(shard, now_ms);
    auto [it, inserted] =
        shard.buckets.try_emplace(std::string(key), BucketState{bucket.burst, now_ms});
    BucketState& state = it->second;
    double elapsed_s =
        static_cast<double>(std::max<std::int64_t>(0, now_ms - state.updated_ms)) / 1000.0;
    state.tokens = std::min(bucket.burst, state.tokens + elapsed_s * bucket.rate_per_s);
    state.updated_ms = now_ms;
    Decision d{};
    d.limit = static_cast<std::int64_t>(bucket.burst);
    if (state.tokens >= 1.0) {
      state.tokens -= 1.0;
      d.allowed = true;
    } else {
      d.allowed = false;
      d.retry_after_s = (1.0 - state.tokens) / bucket.rate_per_s;
    }
    d.remaining = static_cast<std::int64_t>(std::floor(state.tokens));
    double to_full_s = (bucket.burst - state.tokens) / bucket.rate_per_s;
    d.reset_epoch_s =
        (now_ms + static_cast<std::int64_t>(std::ceil(to_full_s * 1000.0)) + 999) / 1000;
    return d;
  }

  FailureWindow add_failure(std::string_view key, std::int64_t window_ms,
                            std::int64_t now_ms) override {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    auto& times = shard.failures[std::string(key)];
    prune(times, window_ms, now_ms);
    times.push_back(now_ms);
    return {static_cast<int>(times.size()), times.front()};
  }

  FailureWindow failures(std::string_view key, std::int64_t window_ms,
                         std::int64_t now_ms) override {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.failures.find(std::string(key));
    if (it == shard.failures.end()) return {0, 0};
    prune(it->second, window_ms, now_ms);
    if (it->second.empty()) {
      shard.failures.erase(it);
      return {0, 0};
    }
    return {static_cast<int>(it->second.size()), it->second.front()};
  }

  void clear_failures(std::string_view key) override {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    shard.failures.erase(std::string(key));
  }

 private:
  Shard& shard_for(std::string_view key) {
    return shards_[std::hash<std::string_view>{}(key) % kShards];
  }

  static void prune(std::deque<std::int64_t>& times, std::int64_t window_ms, std::int64_t now_ms) {
    while (!times.empty() && times.front() <= now_ms - window_ms) times.pop_front();
  }

  // Drops buckets untouched for ten minutes so memory tracks active keys only.
  static void maybe_sweep(Shard& shard, std::int64_t now_ms) {
    if (++shard.ops_since_sweep < 4096) return;
    shard.ops_since_sweep = 0;
    constexpr std::int64_t kIdleMs = 10 * 60 * 1000;
    std::erase_if(shard.buckets,
                  [&](const auto& kv) { return now_ms - kv.second.updated_ms > kIdleMs; });
  }

  std::array<Shard, kShards> shards_;
};

}  // namespace

std::unique_ptr<Limiter> make_memory_limiter() {
  return std::make_unique<MemoryLimiter>();
}

}  // namespace irisx::kv
