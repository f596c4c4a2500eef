#include "store/pagination.hpp"

#include <charconv>

#include "common/crypto.hpp"

namespace irisx::store {

std::string encode_cursor(const Cursor& cursor) {
  return crypto::base64url(std::to_string(cursor.created_at) + ":" + cursor.id);
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  auto raw = crypto::base64url_decode(text);
  if (!raw) return std::nullopt;
  std::size_t colon = raw->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= raw->size()) return std::nullopt;
  Cursor c{};
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + colon, c.created_at);
  if (ec != std::errc() || ptr != raw->data() + colon) return std::nullopt;
  c.id = raw->substr(colon + 1);
  return c;
}

void append_page_clause(std::string& sql, Params& params, const PageRequest& page,
                        std::string_view prefix) {
  std::string p(prefix);
  if (page.after) {
    std::string a = "$" + std::to_string(params.size() + 1);
    std::string b = "$" + std::to_string(params.size() + 2);
    sql += " AND (" + p + "created_at < " + a + " OR (" + p + "created_at = " + a + " AND " + p +
           "id < " + b + "))";
    params.emplace_back(page.after->created_at);
    params.emplace_back(page.after->id);
  }
  sql += " ORDER BY " + p + "created_at DESC, " + p + "id DESC LIMIT $" +
         std::to_string(params.size() + 1);
  params.emplace_back(static_cast<std::int64_t>(page.limit + 1));
}

}  // namespace irisx::store
