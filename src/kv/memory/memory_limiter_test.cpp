#include "kv/memory/memory_limiter.hpp"

#include <gtest/gtest.h>

namespace irisx::kv {
namespace {

TEST(MemoryLimiter, BurstIsAllowedThenRefused) {
  auto limiter = make_memory_limiter();
  Bucket bucket{1.0, 3.0};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter->take("k", bucket, 1000).allowed) << i;
  Decision refused = limiter->take("k", bucket, 1000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_NEAR(refused.retry_after_s, 1.0, 1e-9);
}

TEST(MemoryLimiter, TokensRefillAtTheConfiguredRate) {
  auto limiter = make_memory_limiter();
  Bucket bucket{2.0, 1.0};
  EXPECT_TRUE(limiter->take("k", bucket, 0).allowed);
  EXPECT_FALSE(limiter->take("k", bucket, 100).allowed);  // 0.2 tokens
  EXPECT_TRUE(limiter->take("k", bucket, 500).allowed);   // 1.0 token
}

TEST(MemoryLimiter, KeysAreIndependent) {
  auto limiter = make_memory_limiter();
  Bucket bucket{1.0, 1.0};
  EXPECT_TRUE(limiter->take("a", bucket, 0).allowed);
  EXPECT_TRUE(limiter->take("b", bucket, 0).allowed);
  EXPECT_FALSE(limiter->take("a", bucket, 0).allowed);
}

TEST(MemoryLimiter, ReportsLimitRemainingAndReset) {
  auto limiter = make_memory_limiter();
  Bucket bucket{10.0, 20.0};
  Decision d = limiter->take("k", bucket, 5'000);
  EXPECT_EQ(d.limit, 20);
  EXPECT_EQ(d.remaining, 19);
  EXPECT_EQ(d.reset_epoch_s, 6);  // one token short, refilled in 100 ms
}

TEST(MemoryLimiter, FailuresExpireOutsideTheWindow) {
  auto limiter = make_memory_limiter();
  EXPECT_EQ(limiter->add_failure("u", 1000, 0).count, 1);
  EXPECT_EQ(limiter->add_failure("u", 1000, 500).count, 2);
  FailureWindow w = limiter->failures("u", 1000, 1200);
  EXPECT_EQ(w.count, 1);
  EXPECT_EQ(w.oldest_ms, 500);
  EXPECT_EQ(limiter->failures("u", 1000, 2000).count, 0);
}

TEST(MemoryLimiter, ClearFailuresForgetsTheKey) {
  auto limiter = make_memory_limiter();
  limiter->add_failure("u", 1000, 0);
  limiter->clear_failures("u");
  EXPECT_EQ(limiter->failures("u", 1000, 1).count, 0);
}

}  // namespace
}  // namespace irisx::kv
