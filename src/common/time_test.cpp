#include "common/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace irisx {
namespace {

constexpr std::int64_t kNov24 = 1795514400000;  // 2026-11-24T10:00:00Z

TEST(Rfc3339, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(kNov24), "2026-11-24T10:00:00Z");
  EXPECT_EQ(rfc3339(951868799000), "2000-02-29T23:59:59Z");
  // Past the 32-bit time_t limit.
  EXPECT_EQ(rfc3339(2147483648000), "2038-01-19T03:14:08Z");
}

TEST(Rfc3339, MillisecondsAreThreeDigits) {
  EXPECT_EQ(rfc3339(kNov24 + 5), "2026-11-24T10:00:00.005Z");
  EXPECT_EQ(rfc3339(kNov24 + 120), "2026-11-24T10:00:00.120Z");
  EXPECT_EQ(rfc3339(kNov24 + 999), "2026-11-24T10:00:00.999Z");
}

TEST(Rfc3339, TimesBeforeTheEpochAreFormattedCorrectly) {
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(rfc3339(-1000), "1969-12-31T23:59:59Z");
}

TEST(ParseRfc3339, ParsesWholeSeconds) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00Z"), kNov24);
}

TEST(ParseRfc3339, RoundTripsFormattedValues) {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, kNov24, kNov24 + 7,
                          kNov24 + 450, std::int64_t{951868799000}, std::int64_t{2147483648123}}) {
    EXPECT_EQ(parse_rfc3339(rfc3339(ms)), ms) << rfc3339(ms);
  }
}

TEST(ParseRfc3339, FractionOfAnyLengthIsScaledToMilliseconds) {
  EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.5Z"), kNov24 + 500);
  EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.05Z"), kNov24 + 50);
  EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.123Z"), kNov24 + 123);
  // Digits beyond milliseconds are truncated, not rounded.
  EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.123999Z"), kNov24 + 123);
}

TEST(ParseRfc3339, RejectsEmptyAndNonDates) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("not a date"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24"));
  EXPECT_FALSE(parse_rfc3339("1795514400000"));
}

TEST(ParseRfc3339, RejectsMissingZone) {
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00.123"));
}

TEST(ParseRfc3339, RejectsOutOfRangeFields) {
  EXPECT_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-00T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-32T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T24:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:60:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:61Z"));
}

TEST(ParseRfc3339, RejectsTrailingJunk) {
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00Z "));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00ZZ"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00.12xZ"));
}

TEST(ParseRfc3339, RejectsEmptyFraction) {
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:00.Z"));
}

TEST(ParseRfc3339, RejectsDayBeyondTheEndOfTheMonth) {
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z"));
}

TEST(ParseRfc3339, RejectsNegativeTimeFields) {
  EXPECT_FALSE(parse_rfc3339("2026-11-24T-1:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:-1:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T10:00:-1Z"));
}

TEST(ParseRfc3339, RejectsFieldsThatAreNotExactlyTwoDigits) {
  EXPECT_FALSE(parse_rfc3339(" 2026-11-24T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-1-4T1:2:3Z"));
  EXPECT_FALSE(parse_rfc3339("2026-+1-24T10:00:00Z"));
}

TEST(NowMs, TracksTheSystemClock) {
  using namespace std::chrono;
  const std::int64_t before =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const std::int64_t now = now_ms();
  const std::int64_t after =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace irisx

namespace irisx {
namespace {

TEST(ParseDuration, ReadsEachUnit) {
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("5s"), 5000);
  EXPECT_EQ(parse_duration_ms("5m"), 300000);
  EXPECT_EQ(parse_duration_ms("2h"), 7200000);
  EXPECT_EQ(parse_duration_ms("1d"), 86400000);
  EXPECT_EQ(parse_duration_ms("0s"), 0);
}

TEST(ParseDuration, RefusesMissingOrUnknownUnitsAndOverflow) {
  for (const char* bad : {"", "5", "s", "-5s", "5 s", "5sec", "1.5s", "99999999999999999d"}) {
    EXPECT_EQ(parse_duration_ms(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace irisx
