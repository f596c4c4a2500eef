#include "voice/media/digit_sequence.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::media {
namespace {

TEST(DigitSequence, EachKeySoundsThenFallsSilentAndWPausesHalfASecond) {
  const auto steps = plan_digits("12w#");
  ASSERT_TRUE(steps.has_value());
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].digit, '1');
  EXPECT_EQ((*steps)[0].tone_ms, 100);
  EXPECT_EQ((*steps)[0].silence_ms, 100);
  EXPECT_EQ((*steps)[1].digit, '2');
  EXPECT_EQ((*steps)[2].digit, '\0');
  EXPECT_EQ((*steps)[2].tone_ms, 0);
  EXPECT_EQ((*steps)[2].silence_ms, 500);
  EXPECT_EQ((*steps)[3].digit, '#');
  EXPECT_EQ(total_ms(*steps), 3 * 200 + 500);
}

TEST(DigitSequence, CapitalWPausesASecondAndLowerCaseLettersAreTheirKeys) {
  const auto steps = plan_digits("Wa*D");
  ASSERT_TRUE(steps.has_value());
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].silence_ms, 1000);
  EXPECT_EQ((*steps)[1].digit, 'A');
  EXPECT_EQ((*steps)[2].digit, '*');
  EXPECT_EQ((*steps)[3].digit, 'D');
}

TEST(DigitSequence, AnythingButKeysAndPausesRefusesTheWholeString) {
  EXPECT_FALSE(plan_digits("12x3").has_value());
  EXPECT_FALSE(plan_digits("1 2").has_value());
  EXPECT_FALSE(plan_digits("E").has_value());
}

TEST(DigitSequence, TimingIsTheCallersChoice) {
  const auto steps = plan_digits("5", DigitTiming{250, 50, 500, 1000});
  ASSERT_TRUE(steps.has_value());
  EXPECT_EQ((*steps)[0].tone_ms, 250);
  EXPECT_EQ((*steps)[0].silence_ms, 50);
}

TEST(DigitSequence, AnEmptyStringIsNothingToSend) {
  const auto steps = plan_digits("");
  ASSERT_TRUE(steps.has_value());
  EXPECT_TRUE(steps->empty());
  EXPECT_EQ(total_ms(*steps), 0);
}

}  // namespace
}  // namespace irisx::voice::media
