#pragma once
// Versioned schema migrations, applied in order by `irisx migrate` and at `serve`. Each
// migration runs in one transaction together with its row in schema_migrations.
#include <string>
#include <vector>

#include "store/database.hpp"

namespace irisx::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;           // portable SQL, used by both dialects unless overridden
  std::string sqlite_sql;    // dialect-specific replacement, if non-empty
  std::string postgres_sql;  // dialect-specific replacement, if non-empty
};

const std::vector<Migration>& migrations();

// Applies every migration not yet recorded; returns the versions applied.
boost::asio::awaitable<std::vector<int>> migrate(Database& db);

}  // namespace irisx::store
