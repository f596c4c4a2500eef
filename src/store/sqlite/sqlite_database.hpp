#pragma once
// Embedded store: SQLite in WAL mode. A pool of connections serves reads in parallel; all
// writes (single statements and transactions) are serialised by one in-process writer lock,
// which avoids SQLITE_BUSY between our own connections. Concurrent transactions are group
// committed: each runs behind its own savepoint and one COMMIT covers the batch.
#include <memory>
#include <string>

#include "store/database.hpp"

namespace irisx::store {

std::unique_ptr<Database> open_sqlite(const std::string& path, std::size_t pool_size = 4);

}  // namespace irisx::store
