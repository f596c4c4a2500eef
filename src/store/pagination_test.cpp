#include "store/pagination.hpp"

#include <gtest/gtest.h>

namespace irisx::store {
namespace {

TEST(Pagination, CursorRoundTrips) {
  auto c = decode_cursor(encode_cursor({1795526557000, "USabc"}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->created_at, 1795526557000);
  EXPECT_EQ(c->id, "USabc");
}

TEST(Pagination, GarbageCursorIsRejected) {
  EXPECT_FALSE(decode_cursor("garbage!"));
  EXPECT_FALSE(decode_cursor(""));
}

TEST(Pagination, ClauseFetchesOneExtraRowAfterTheCursor) {
  std::string sql = "SELECT id FROM users WHERE tenant_id = $1";
  Params params{std::string("TN1")};
  append_page_clause(sql, params, PageRequest{10, Cursor{5, "USx"}});
  EXPECT_EQ(sql,
            "SELECT id FROM users WHERE tenant_id = $1 AND (created_at < $2 OR (created_at = $2 "
            "AND id < $3)) "
            "ORDER BY created_at DESC, id DESC LIMIT $4");
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(std::get<std::int64_t>(params[3]), 11);
}

}  // namespace
}  // namespace irisx::store
