#pragma once
// The relational store interface. Two implementations: SqliteDatabase (embedded default) and
// PostgresDatabase (cluster). Services write portable SQL against it:
//   - placeholders are $1..$N in both dialects;
//   - times are BIGINT epoch milliseconds, flags are INTEGER 0/1, JSON is TEXT;
//   - RETURNING and ON CONFLICT are available in both.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace irisx::store {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// Coroutine parameters are taken by value throughout IRISX (C++ Core Guidelines CP.53): a
// reference parameter outlives nothing it refers to once the coroutine suspends.
//
// Builds Params without a braced list: g++ 12 miscompiles std::initializer_list temporaries
// inside co_await expressions ("array used as initializer"), so call sites use args(a, b, …).
inline Value to_value(std::nullptr_t) {
  return nullptr;
}
inline Value to_value(std::int64_t v) {
  return v;
}
inline Value to_value(int v) {
  return static_cast<std::int64_t>(v);
}
inline Value to_value(double v) {
  return v;
}
inline Value to_value(const char* v) {
  return std::string(v);
}
inline Value to_value(std::string v) {
  return v;
}
inline Value to_value(std::string_view v) {
  return std::string(v);
}
inline Value to_value(Value v) {
  return v;
}
inline Value to_value(const std::optional<std::string>& v) {
  return v ? Value(*v) : Value(nullptr);
}
inline Value to_value(const std::optional<std::int64_t>& v) {
  return v ? Value(*v) : Value(nullptr);
}
inline Value to_value(const std::optional<double>& v) {
  return v ? Value(*v) : Value(nullptr);
}

template <class... Ts>
Params args(Ts&&... values) {
  Params p;
  p.reserve(sizeof...(Ts));
  (p.push_back(to_value(std::forward<Ts>(values))), ...);
  return p;
}

// A statement built ahead of the transaction that runs it.
struct Statement {
  std::string sql;
  Params params;
};

// "$first, $first+1, …" (count of them), for an IN list.
std::string placeholders(std::size_t first, std::size_t count);

// A multi-row VALUES list: `rows` copies of `row` (e.g. "($1, $2, 0, $3)", using $1..$width),
// joined with ", ", copy i's $k renumbered to $(i * width + k).
std::string values_rows(std::string_view row, std::size_t width, std::size_t rows);

enum class ErrorKind { unique_violation, foreign_key_violation, unavailable, other };

class StoreError : public std::runtime_error {
 public:
  StoreError(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t i) const;
  // Typed accessors throw StoreError(other) on a type mismatch: a schema bug, not user input.
  const std::string& text(std::size_t i) const;
  std::int64_t int64(std::size_t i) const;
  double real(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
  std::optional<std::int64_t> opt_int64(std::size_t i) const;
  const Value& at(std::size_t i) const;

 private:
  std::vector<Value> values_;
};

struct Result {
  std::vector<Row> rows;
  std::int64_t affected_rows = 0;

  bool empty() const { return rows.empty(); }
  const Row& front() const { return rows.front(); }
};

// Rows for one multi-row INSERT: `head` + the rows + `tail`, where `values` holds the rows'
// values one row after the other (`width` each) and `row` is one row's VALUES template
// (values_rows), e.g. head "INSERT INTO t (a, b) VALUES ", row "($1, $2)", width 2.
struct RowInsert {
  std::string head;
  std::string row;
  std::size_t width = 0;
  std::string tail;
  Params values;

  std::size_t rows() const { return width == 0 ? 0 : values.size() / width; }
  // The same statement for other rows: such inserts can be one.
  bool same_statement(const RowInsert& other) const {
    return head == other.head && row == other.row && tail == other.tail && width == other.width;
  }
};

// The statements that insert `rows`: at most 200 rows each, well inside both stores' parameter
// limits.
std::vector<Statement> insert_statements(RowInsert rows);

class Session;

// Work a transaction leaves for its commit, so that the commit can do it once for several
// transactions: PostgreSQL's group commit merges the steps of one kind (equal merge_key) from
// every member of a batch and runs them once, just before the batch's COMMIT (one webhook
// fan-out query for all of the batch's events instead of one per event). A step reads and
// inserts rows (Session::insert_rows); its failure fails every transaction it was merged with.
class CommitStep {
 public:
  virtual ~CommitStep() = default;
  // Steps with the same key are of one type and merge; nullptr: never merged.
  virtual const void* merge_key() const = 0;
  // Takes over the work of `other`, a step with the same key.
  virtual void merge(CommitStep& other) = 0;
  virtual boost::asio::awaitable<void> run(Session& tx) = 0;
};

// A connection in use: inside a transaction or a single statement.
class Session {
 public:
  virtual ~Session() = default;
  virtual boost::asio::awaitable<Result> exec(std::string sql, Params params = {}) = 0;
  // For a statement whose result the caller does not need (an audit row, an event, an outbox
  // message). PostgreSQL sends it with the transaction's next statement instead of spending a
  // round trip on it, so its failure is raised by the next exec() or by the commit: not for
  // statements whose failure the caller handles (a unique violation meaning 409).
  virtual void defer(std::string sql, Params params = {}) = 0;
  // For rows that this transaction does not read back and whose failure is nobody's to handle
  // (an audit entry, an event, an outbox message, a record with a fresh random key): inserted
  // by the commit at the latest. PostgreSQL's group commit inserts the rows of every member of
  // a batch with one statement per table (tables in the order their first rows came), just
  // before the batch's COMMIT, so this transaction's own statements may not see them, and a
  // failure among them fails the batch (the other members see the store unavailable).
  virtual void insert_rows(RowInsert rows) {
    for (Statement& s : insert_statements(std::move(rows)))
      defer(std::move(s.sql), std::move(s.params));
  }
  // Runs `step` after the transaction's body, before its commit (CommitStep).
  virtual void before_commit(std::unique_ptr<CommitStep> step) = 0;
};

// Merges `step` into the step of its kind in `steps`, or appends it.
void add_step(std::vector<std::unique_ptr<CommitStep>>& steps, std::unique_ptr<CommitStep> step);
// Runs `steps` on `tx` until none is left: steps they leave (added to `steps` through `tx`) run
// after them.
boost::asio::awaitable<void> run_steps(std::vector<std::unique_ptr<CommitStep>>& steps,
                                       Session& tx);

// Session::insert_rows of the rows in `params` (RowInsert).
void insert_rows(Session& tx, std::string_view head, std::string_view row, std::size_t width,
                 Params params, std::string_view tail = "");

// What a service calls inside the transaction of a change, so that its caller records the change
// with it (the audit entry, the event) and both commit or neither: the event type
// ("phone_number.created") and the resource as changed.
template <class Resource>
using ChangeRecorder =
    std::function<boost::asio::awaitable<void>(Session&, std::string type, const Resource&)>;

class Database;

// Deletes at most `limit` rows of `table` (a table of ours with `id` and `created_at`) created
// before `before_ms`; returns how many went. Retention loops call it until it returns 0.
boost::asio::awaitable<std::int64_t> purge_created_before(Database& db, std::string table,
                                                          std::int64_t before_ms, int limit);

enum class Dialect { sqlite, postgres };

class Database {
 public:
  using TransactionBody = std::function<boost::asio::awaitable<void>(Session&)>;

  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  // One statement in its own implicit transaction.
  virtual boost::asio::awaitable<Result> exec(std::string sql, Params params = {}) = 0;

  // Runs `body` between BEGIN and COMMIT, rolling back if it throws (the exception is
  // rethrown). The body must only await calls on the given session: it holds a connection
  // (and for SQLite the write lock) while it runs.
  virtual boost::asio::awaitable<void> transaction(TransactionBody body) = 0;

  // Throws StoreError(unavailable) when the store cannot answer.
  virtual boost::asio::awaitable<void> ping() = 0;

  // Runs a script of several statements without parameters (migrations).
  virtual boost::asio::awaitable<void> exec_script(std::string sql) = 0;
};

}  // namespace irisx::store
