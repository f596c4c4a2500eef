#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <utility>

#include <memory>
#include <string>

#include "store/database.hpp"

namespace irisx::app {

// "sqlite:PATH" (or a bare path) → SQLite; "postgres://…" / "postgresql://…" → PostgreSQL.
std::unique_ptr<store::Database> open_database(const std::string& url,
                                               boost::asio::any_io_executor executor,
                                               std::size_t pool_size);

}  // namespace irisx::app
