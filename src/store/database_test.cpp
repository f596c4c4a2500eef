#include "store/database.hpp"

#include <gtest/gtest.h>

namespace irisx::store {
namespace {

TEST(Placeholders, NumbersFromTheFirstGiven) {
  EXPECT_EQ(placeholders(1, 3), "$1, $2, $3");
  EXPECT_EQ(placeholders(4, 2), "$4, $5");
  EXPECT_EQ(placeholders(1, 0), "");
}

TEST(ValuesRows, RenumbersEachCopysPlaceholdersPastThePreviousRows) {
  EXPECT_EQ(values_rows("($1, $2, 0, $2)", 2, 3),
            "($1, $2, 0, $2), ($3, $4, 0, $4), ($5, $6, 0, $6)");
}

TEST(ValuesRows, KeepsTextThatIsNotAPlaceholderAndMultiDigitNumbers) {
  EXPECT_EQ(values_rows("($10, '$', $1)", 10, 2), "($10, '$', $1), ($20, '$', $11)");
  EXPECT_EQ(values_rows("($1)", 1, 0), "");
}

}  // namespace
}  // namespace irisx::store
