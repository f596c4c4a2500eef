#pragma once
// Cluster store: PostgreSQL through libpq's asynchronous API on the Asio reactor, with a small
// connection pool and per-connection prepared statements.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

#include "store/database.hpp"

namespace irisx::store {

// conninfo: a libpq URI such as postgres://user@host:port/db. Connects once at open so that a
// wrong URL fails at start-up; throws StoreError(unavailable) when the server cannot be reached.
std::unique_ptr<Database> open_postgres(boost::asio::any_io_executor executor,
                                        const std::string& conninfo, std::size_t pool_size = 8);

}  // namespace irisx::store
