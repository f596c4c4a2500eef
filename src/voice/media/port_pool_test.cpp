#include "voice/media/port_pool.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace irisx::voice::media {
namespace {

TEST(PortPool, HandsOutEvenPortsWithRoomForRtcp) {
  PortPool pool(20001, 20008);  // 20002, 20004, 20006 (20008 has no 20009)
  EXPECT_EQ(pool.capacity(), 3u);
  EXPECT_EQ(pool.acquire(), 20002);
  EXPECT_EQ(pool.acquire(), 20004);
  EXPECT_EQ(pool.acquire(), 20006);
  EXPECT_EQ(pool.acquire(), std::nullopt);
  EXPECT_EQ(pool.available(), 0u);
}

TEST(PortPool, AJustReleasedPortIsReusedLast) {
  PortPool pool(30000, 30007);  // 30000, 30002, 30004, 30006
  const auto a = pool.acquire();
  const auto b = pool.acquire();
  ASSERT_TRUE(a && b);
  pool.release(*a);
  EXPECT_EQ(pool.acquire(), 30004);
  EXPECT_EQ(pool.acquire(), 30006);
  EXPECT_EQ(pool.acquire(), 30000);  // released first, handed out after the never-used ones
  EXPECT_EQ(pool.acquire(), std::nullopt);
  pool.release(30006);
  pool.release(30002);
  EXPECT_EQ(pool.acquire(), 30006);  // least recently released first
  EXPECT_EQ(pool.acquire(), 30002);
}

TEST(PortPool, IgnoresReleasesOfPortsItDidNotHandOut) {
  PortPool pool(40000, 40003);
  pool.release(40000);  // free already
  pool.release(40001);  // odd
  pool.release(39998);  // below
  pool.release(50000);  // above
  EXPECT_EQ(pool.available(), 2u);
  const auto port = pool.acquire();
  pool.release(*port);
  pool.release(*port);  // twice
  EXPECT_EQ(pool.available(), 2u);
}

TEST(PortPool, RejectsARangeWithoutAPair) {
  EXPECT_THROW(PortPool(20001, 20002), std::invalid_argument);
  EXPECT_THROW(PortPool(20010, 20000), std::invalid_argument);
  EXPECT_THROW(PortPool(65535, 65535), std::invalid_argument);
  EXPECT_NO_THROW(PortPool(65534, 65535));
}

TEST(PortPool, ParsesAndValidatesARange) {
  EXPECT_EQ(PortPool::parse_range("20000-29999"),
            (std::pair<std::uint16_t, std::uint16_t>{20000, 29999}));
  EXPECT_EQ(PortPool::parse_range("10001-10010"),
            (std::pair<std::uint16_t, std::uint16_t>{10002, 10010}));
  EXPECT_EQ(PortPool::parse_range("1024-65535"),
            (std::pair<std::uint16_t, std::uint16_t>{1024, 65535}));
  for (const char* bad : {"", "-", "20000", "20000-", "-29999", "1000-2000", "20000-70000",
                          "30000-20000", "20000-20000", "20001-20002", " 20000-29999", "2e4-3e4",
                          "20000-29999x", "+20000-29999", "99999999999-1"}) {
    EXPECT_EQ(PortPool::parse_range(bad), std::nullopt) << bad;
  }
}

TEST(PortPool, ConcurrentAcquireNeverHandsOutAPortTwice) {
  PortPool pool(20000, 21999);  // 1000 ports
  std::vector<std::vector<std::uint16_t>> got(2);
  std::vector<std::thread> threads;
  for (auto& mine : got) {
    threads.emplace_back([&pool, &mine] {
      for (int i = 0; i < 2000; ++i) {
        if (auto port = pool.acquire()) {
          mine.push_back(*port);
          if (i % 3 == 0) {
            pool.release(mine.back());
            mine.pop_back();
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint16_t> all;
  for (const auto& mine : got) all.insert(mine.begin(), mine.end());
  EXPECT_EQ(all.size(), got[0].size() + got[1].size());
  EXPECT_EQ(pool.available(), 1000u - all.size());
}

}  // namespace
}  // namespace irisx::voice::media
