#pragma once
// Keyset pagination, newest first, over (created_at, id). Cursors are opaque to clients.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace irisx::store {

struct Cursor {
  std::int64_t created_at;
  std::string id;
};

std::string encode_cursor(const Cursor& cursor);
std::optional<Cursor> decode_cursor(std::string_view text);

struct PageRequest {
  int limit = 50;
  std::optional<Cursor> after;
};

// Appends "AND (created_at < $n OR (created_at = $n AND id < $n+1))" when paging, then
// " ORDER BY created_at DESC, id DESC LIMIT $k" (limit+1 rows, to learn has_more).
void append_page_clause(std::string& sql, Params& params, const PageRequest& page,
                        std::string_view column_prefix = "");

}  // namespace irisx::store
