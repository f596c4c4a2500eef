#pragma once
// One SQLite connection (WAL, foreign keys on) with a cache of prepared statements keyed by SQL
// text. Not thread-safe: each connection is used by one thread at a time.
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace irisx::store::sqlite {

class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool in_transaction() const;
  // Runs statements without parameters; throws StoreError.
  void script(std::string_view sql);
  Result exec(std::string_view sql, const Params& params);
  // Copies committed WAL frames back into the database file without blocking writers.
  void checkpoint();
  // Replaces SQLite's automatic checkpoint: `hook` gets the WAL's page count after each
  // commit on this connection. It must outlive the connection.
  using WalHook = void (*)(void* context, int pages);
  void on_commit(WalHook hook, void* context);

 private:
  // A prepared statement and, for $1..$N, SQLite's slot numbers (0: not in the statement).
  struct Statement {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> slots;
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  Statement& prepare(std::string_view sql);
  void bind(Statement& statement, const Params& params);

  sqlite3* db_ = nullptr;
  WalHook wal_hook_ = nullptr;
  void* wal_context_ = nullptr;
  std::unordered_map<std::string, Statement, TextHash, std::equal_to<>> cache_;
};

// SELECT and WITH statements go to a reader connection; everything else to the writer.
bool is_read_only(std::string_view sql);

}  // namespace irisx::store::sqlite
