#include "common/id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace irisx {
namespace {

TEST(NewId, IncreasesStrictlyWithinAMillisecond) {
  std::string previous = new_id("EV");
  for (int i = 0; i < 10000; ++i) {
    std::string next = new_id("EV");
    ASSERT_LT(previous, next);
    previous = std::move(next);
  }
}

TEST(NewId, StaysUniqueAcrossThreads) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& out : made) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 5000; ++i) out.push_back(new_id("WD"));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : made) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 20000u);
}

}  // namespace
}  // namespace irisx
