#pragma once
// Embedded store: SQLite in WAL mode. A pool of connections serves reads in parallel; all
// writes (single statements and transactions) run on one writer thread with its own
// connection, which avoids SQLITE_BUSY between our own connections and never blocks a request
// thread on a lock. Concurrent transactions are group committed: each runs behind its own
// savepoint and one COMMIT covers the batch.
#include <memory>
#include <string>

#include "store/database.hpp"

namespace irisx::store {

std::unique_ptr<Database> open_sqlite(const std::string& path, std::size_t pool_size = 4);

}  // namespace irisx::store
