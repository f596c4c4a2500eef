#include "store/database.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

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

RowInsert numbers(std::int64_t count, std::string tail = "") {
  Params values;
  for (std::int64_t i = 0; i < count; ++i) {
    values.emplace_back(i);
    values.emplace_back("n" + std::to_string(i));
  }
  return RowInsert{"INSERT INTO t (a, b) VALUES ", "($1, $2)", 2, std::move(tail),
                   std::move(values)};
}

TEST(InsertStatements, OneStatementWithEveryRowAndTheTail) {
  auto statements = insert_statements(numbers(3, " ON CONFLICT DO NOTHING"));
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].sql,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING");
  EXPECT_EQ(statements[0].params.size(), 6u);
}

TEST(InsertStatements, SplitsPast200RowsKeepingEachRowsValuesTogether) {
  auto statements = insert_statements(numbers(450));
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].params.size(), 400u);
  EXPECT_EQ(statements[2].params.size(), 100u);
  EXPECT_EQ(std::get<std::int64_t>(statements[2].params[0]), 400);
  EXPECT_EQ(std::get<std::string>(statements[2].params[1]), "n400");
  EXPECT_TRUE(insert_statements(numbers(0)).empty());
}

TEST(RowInsertSameStatement, NeedsTheSameHeadRowAndTail) {
  EXPECT_TRUE(numbers(1).same_statement(numbers(5)));
  EXPECT_FALSE(numbers(1).same_statement(numbers(1, " ON CONFLICT DO NOTHING")));
  RowInsert other = numbers(1);
  other.head = "INSERT INTO u (a, b) VALUES ";
  EXPECT_FALSE(numbers(1).same_statement(other));
}

class Collecting final : public CommitStep {
 public:
  Collecting(const void* key, int item) : key_(key) { items.push_back(item); }
  const void* merge_key() const override { return key_; }
  void merge(CommitStep& other) override {
    auto& more = static_cast<Collecting&>(other).items;
    items.insert(items.end(), more.begin(), more.end());
    more.clear();
  }
  boost::asio::awaitable<void> run(Session&) override { co_return; }
  std::vector<int> items;

 private:
  const void* key_;
};

TEST(AddStep, MergesStepsOfOneKeyInArrivalOrderAndNeverStepsWithoutOne) {
  const int kind_a = 0, kind_b = 0;
  std::vector<std::unique_ptr<CommitStep>> steps;
  add_step(steps, std::make_unique<Collecting>(&kind_a, 1));
  add_step(steps, std::make_unique<Collecting>(&kind_b, 2));
  add_step(steps, std::make_unique<Collecting>(&kind_a, 3));
  add_step(steps, std::make_unique<Collecting>(nullptr, 4));
  add_step(steps, std::make_unique<Collecting>(nullptr, 5));
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(static_cast<Collecting&>(*steps[0]).items, (std::vector<int>{1, 3}));
  EXPECT_EQ(static_cast<Collecting&>(*steps[1]).items, std::vector<int>{2});
  EXPECT_EQ(static_cast<Collecting&>(*steps[3]).items, std::vector<int>{5});
}

}  // namespace
}  // namespace irisx::store
