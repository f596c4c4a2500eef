#include "store/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <variant>
#include <vector>

namespace irisx::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw StoreError(ErrorKind::unique_violation, msg);
  }
  if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) throw StoreError(ErrorKind::foreign_key_violation, msg);
  if (rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_BUSY) {
    throw StoreError(ErrorKind::unavailable, msg);
  }
  throw StoreError(ErrorKind::other, msg);
}

Row read_row(sqlite3_stmt* stmt, int columns) {
  std::vector<Value> values;
  values.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_NULL:
        values.emplace_back(nullptr);
        break;
      case SQLITE_INTEGER:
        values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
        break;
      case SQLITE_FLOAT:
        values.emplace_back(sqlite3_column_double(stmt, c));
        break;
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        values.emplace_back(
            std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
      }
    }
  }
  return Row(std::move(values));
}

}  // namespace

Connection::Connection(const std::string& path) {
  // Memory statistics cost a global mutex on every SQLite allocation; nothing reads them. Only
  // possible before SQLite initialises, which the first connection does.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw StoreError(ErrorKind::unavailable, "cannot open SQLite database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  script(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY;");
}

Connection::~Connection() {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement.stmt);
  sqlite3_close(db_);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void Connection::script(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    fail(db_, rc, "script: " + msg);
  }
}

Result Connection::exec(std::string_view sql, const Params& params) {
  Statement& statement = prepare(sql);
  sqlite3_stmt* stmt = statement.stmt;
  bind(statement, params);
  Result result;
  const int columns = sqlite3_column_count(stmt);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      result.rows.emplace_back(read_row(stmt, columns));
      continue;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != SQLITE_DONE) fail(db_, rc, "exec");
    break;
  }
  result.affected_rows = sqlite3_changes64(db_);
  return result;
}

void Connection::on_commit(WalHook hook, void* context) {
  wal_hook_ = hook;
  wal_context_ = context;
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        auto* conn = static_cast<Connection*>(self);
        conn->wal_hook_(conn->wal_context_, pages);
        return SQLITE_OK;
      },
      this);
}

void Connection::checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail(db_, rc, "checkpoint");
}

Connection::Statement& Connection::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "prepare");
  return cache_.emplace(std::string(sql), Statement{stmt, {}}).first->second;
}

void Connection::bind(Statement& statement, const Params& params) {
  sqlite3_stmt* stmt = statement.stmt;
  // "$N" is a named parameter to SQLite; its slot is looked up once so $N means the Nth param.
  while (statement.slots.size() < params.size()) {
    const std::string name = "$" + std::to_string(statement.slots.size() + 1);
    statement.slots.push_back(sqlite3_bind_parameter_index(stmt, name.c_str()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int slot = statement.slots[i];
    if (slot == 0) continue;  // parameter not used by this statement
    int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(stmt, slot);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(stmt, slot, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, slot, v);
          } else {
            // Not copied: `params` outlives the statement's use, which ends in a reset.
            return sqlite3_bind_text64(stmt, slot, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      fail(db_, rc, "bind");
    }
  }
}

bool is_read_only(std::string_view sql) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n')) sql.remove_prefix(1);
  auto starts = [&](std::string_view word) {
    if (sql.size() < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if ((sql[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  return starts("select") || starts("with");
}

}  // namespace irisx::store::sqlite
