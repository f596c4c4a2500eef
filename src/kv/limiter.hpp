#pragma once
// Ephemeral counters behind rate limits and login throttling. In-process now (MemoryLimiter);
// the cluster shape backs the same interface with Redis so limits hold across API nodes.
#include <cstdint>
#include <string_view>

namespace irisx::kv {

struct Bucket {
  double rate_per_s;  // sustained refill rate
  double burst;       // capacity
};

struct Decision {
  bool allowed;
  std::int64_t limit;
  std::int64_t remaining;
  std::int64_t reset_epoch_s;  // when the bucket is full again
  double retry_after_s;        // when !allowed: until one token is available
};

struct FailureWindow {
  int count;               // failures within the window
  std::int64_t oldest_ms;  // time of the oldest counted failure (0 if none)
};

class Limiter {
 public:
  virtual ~Limiter() = default;
  // Token bucket: takes one token for `key` if available.
  virtual Decision take(std::string_view key, const Bucket& bucket, std::int64_t now_ms) = 0;
  // Sliding-window failure counting (login throttling).
  virtual FailureWindow add_failure(std::string_view key, std::int64_t window_ms,
                                    std::int64_t now_ms) = 0;
  virtual FailureWindow failures(std::string_view key, std::int64_t window_ms,
                                 std::int64_t now_ms) = 0;
  virtual void clear_failures(std::string_view key) = 0;
};

}  // namespace irisx::kv
