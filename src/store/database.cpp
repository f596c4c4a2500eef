#include "store/database.hpp"

#include <algorithm>
#include <iterator>

namespace irisx::store {

std::string placeholders(std::size_t first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += '$';
    out += std::to_string(first + i);
  }
  return out;
}

std::string values_rows(std::string_view row, std::size_t width, std::size_t rows) {
  std::string out;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) out += ", ";
    for (std::size_t p = 0; p < row.size(); ++p) {
      if (row[p] != '$' || p + 1 >= row.size() || row[p + 1] < '0' || row[p + 1] > '9') {
        out += row[p];
        continue;
      }
      std::size_t k = 0;
      while (p + 1 < row.size() && row[p + 1] >= '0' && row[p + 1] <= '9') {
        k = k * 10 + static_cast<std::size_t>(row[++p] - '0');
      }
      out += '$';
      out += std::to_string(i * width + k);
    }
  }
  return out;
}

std::vector<Statement> insert_statements(RowInsert rows) {
  constexpr std::size_t kMaxRows = 200;
  std::vector<Statement> out;
  const std::size_t total = rows.rows();
  for (std::size_t first = 0; first < total; first += kMaxRows) {
    const std::size_t n = std::min(kMaxRows, total - first);
    const auto begin = rows.values.begin() + static_cast<std::ptrdiff_t>(first * rows.width);
    Params chunk(std::make_move_iterator(begin),
                 std::make_move_iterator(begin + static_cast<std::ptrdiff_t>(n * rows.width)));
    out.push_back(
        Statement{rows.head + values_rows(rows.row, rows.width, n) + rows.tail, std::move(chunk)});
  }
  return out;
}

void insert_rows(Session& tx, std::string_view head, std::string_view row, std::size_t width,
                 Params params, std::string_view tail) {
  tx.insert_rows(
      RowInsert{std::string(head), std::string(row), width, std::string(tail), std::move(params)});
}

void add_step(std::vector<std::unique_ptr<CommitStep>>& steps, std::unique_ptr<CommitStep> step) {
  const void* key = step->merge_key();
  if (key != nullptr) {
    for (auto& have : steps) {
      if (have->merge_key() == key) {
        have->merge(*step);
        return;
      }
    }
  }
  steps.push_back(std::move(step));
}

boost::asio::awaitable<std::int64_t> purge_created_before(Database& db, std::string table,
                                                          std::int64_t before_ms, int limit) {
  Result r = co_await db.exec("DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table +
                                  " WHERE created_at < $1 LIMIT $2)",
                              args(before_ms, limit));
  co_return r.affected_rows;
}

boost::asio::awaitable<void> run_steps(std::vector<std::unique_ptr<CommitStep>>& steps,
                                       Session& tx) {
  while (!steps.empty()) {
    std::vector<std::unique_ptr<CommitStep>> now = std::move(steps);
    steps.clear();
    for (auto& step : now) co_await step->run(tx);
  }
}

const Value& Row::at(std::size_t i) const {
  if (i >= values_.size()) throw StoreError(ErrorKind::other, "column index out of range");
  return values_[i];
}

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(at(i));
}

const std::string& Row::text(std::size_t i) const {
  const auto* s = std::get_if<std::string>(&at(i));
  if (s == nullptr) throw StoreError(ErrorKind::other, "column is not text");
  return *s;
}

std::int64_t Row::int64(std::size_t i) const {
  const Value& v = at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  throw StoreError(ErrorKind::other, "column is not an integer");
}

double Row::real(std::size_t i) const {
  const Value& v = at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  throw StoreError(ErrorKind::other, "column is not a number");
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_int64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

}  // namespace irisx::store
