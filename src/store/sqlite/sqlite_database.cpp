#include "store/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace irisx::store {
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

// One SQLite connection with a cache of prepared statements keyed by SQL text.
class Connection {
 public:
  explicit Connection(const std::string& path) {
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
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  void script(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      fail(db_, rc, "script: " + msg);
    }
  }

  Result exec(std::string_view sql, const Params& params) {
    sqlite3_stmt* stmt = prepare(sql);
    bind(stmt, params);
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

 private:
  sqlite3_stmt* prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "prepare");
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  void bind(sqlite3_stmt* stmt, const Params& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      // "$N" is a named parameter to SQLite; look its slot up so $N means the Nth param.
      std::string name = "$" + std::to_string(i + 1);
      int slot = sqlite3_bind_parameter_index(stmt, name.c_str());
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
              return sqlite3_bind_text64(stmt, slot, v.data(), v.size(), SQLITE_TRANSIENT,
                                         SQLITE_UTF8);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) {
        sqlite3_reset(stmt);
        fail(db_, rc, "bind");
      }
    }
  }

  static Row read_row(sqlite3_stmt* stmt, int columns) {
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
          values.emplace_back(std::string(text ? text : "",
                                          static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    return Row(std::move(values));
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(Connection& conn) : conn_(conn) {}
  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    co_return conn_.exec(sql, params);
  }

 private:
  Connection& conn_;
};

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

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, std::size_t pool_size) : path_(std::move(path)) {
    // Open one connection eagerly so a bad path fails at start-up, not on first request.
    writer_ = std::make_unique<Connection>(path_);
    for (std::size_t i = 0; i < pool_size; ++i)
      readers_.push_back(std::make_unique<Connection>(path_));
    for (auto& r : readers_) idle_.push_back(r.get());
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    if (is_read_only(sql)) {
      Connection* conn = acquire_reader();
      struct Release {
        SqliteDatabase* self;
        Connection* conn;
        ~Release() { self->release_reader(conn); }
      } release{this, conn};
      co_return conn->exec(sql, params);
    }
    std::lock_guard lock(write_mutex_);
    commit_open_batch();  // a lone statement must not ride on, or wait for, a batch
    co_return writer_->exec(sql, params);
  }

  // Group commit: transactions that arrive while a batch is open run inside it, each behind
  // its own savepoint, and one COMMIT covers them all. No caller returns before that COMMIT.
  boost::asio::awaitable<void> transaction(TransactionBody body) override {
    std::shared_ptr<WriteBatch> batch;
    std::exception_ptr failure;
    {
      // Bodies only await this session, and SQLite calls complete synchronously, so the body
      // never suspends while holding the lock.
      std::unique_lock lock(write_mutex_);
      if (!open_batch_) {
        writer_->exec("BEGIN IMMEDIATE", {});
        open_batch_ = std::make_shared<WriteBatch>();
      }
      batch = open_batch_;
      writer_->exec("SAVEPOINT irisx_tx", {});
      SqliteSession session(*writer_);
      try {
        co_await body(session);
      } catch (...) {
        failure = std::current_exception();
      }
      if (failure) {
        undo_savepoint();
      } else {
        writer_->exec("RELEASE irisx_tx", {});
      }
    }
    // Let the coroutines already queued on this thread join the batch before it commits. A
    // failed member takes part too, so a batch it opened is never left open.
    co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                               boost::asio::use_awaitable);
    std::lock_guard lock(write_mutex_);
    if (open_batch_ == batch) commit_open_batch();  // the first member back commits for all
    if (failure) std::rethrow_exception(failure);
    if (!batch->error.empty()) throw StoreError(ErrorKind::unavailable, batch->error);
  }

  boost::asio::awaitable<void> ping() override {
    Connection* conn = acquire_reader();
    try {
      conn->exec("SELECT 1", {});
    } catch (const StoreError& e) {
      release_reader(conn);
      throw StoreError(ErrorKind::unavailable, e.what());
    }
    release_reader(conn);
    co_return;
  }

  boost::asio::awaitable<void> exec_script(std::string sql) override {
    std::lock_guard lock(write_mutex_);
    commit_open_batch();
    writer_->script(sql);
    co_return;
  }

 private:
  struct WriteBatch {
    std::string error;  // why COMMIT failed; empty once committed
  };

  // Caller holds write_mutex_.
  void commit_open_batch() {
    if (!open_batch_) return;
    std::shared_ptr<WriteBatch> batch = std::move(open_batch_);
    try {
      writer_->exec("COMMIT", {});
    } catch (const StoreError& e) {
      batch->error = e.what();
      try {
        writer_->exec("ROLLBACK", {});
      } catch (const StoreError&) {
        // Already rolled back by SQLite; the COMMIT error is what members report.
      }
    }
  }

  // Caller holds write_mutex_. Undoes one failed body; if SQLite has already abandoned the
  // whole transaction (e.g. after a disk error), the batch fails for every member.
  void undo_savepoint() {
    try {
      writer_->exec("ROLLBACK TO irisx_tx", {});
      writer_->exec("RELEASE irisx_tx", {});
    } catch (const StoreError&) {
      // Handled below: the transaction state decides.
    }
    if (!writer_->in_transaction() && open_batch_) {
      open_batch_->error = "the write transaction was aborted";
      open_batch_.reset();
    }
  }

  Connection* acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return !idle_.empty(); });
    Connection* conn = idle_.back();
    idle_.pop_back();
    return conn;
  }
  void release_reader(Connection* conn) {
    {
      std::lock_guard lock(pool_mutex_);
      idle_.push_back(conn);
    }
    pool_cv_.notify_one();
  }

  std::string path_;
  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;
  std::shared_ptr<WriteBatch> open_batch_;  // guarded by write_mutex_
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, std::size_t pool_size) {
  return std::make_unique<SqliteDatabase>(path, pool_size == 0 ? 1 : pool_size);
}

}  // namespace irisx::store
