#pragma once
// Keyset pagination, newest first, over (created_at, id). Cursors are opaque to clients.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

template <class T>
struct Page {
  std::vector<T> items;
  bool has_more = false;
};

// Lists fetch limit+1 rows (store::append_page_clause); the extra one only says more exist.
template <class T>
Page<T> to_page(std::vector<T> rows, int limit) {
  Page<T> page{std::move(rows), false};
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.pop_back();
    page.has_more = true;
  }
  return page;
}

}  // namespace irisx::store
