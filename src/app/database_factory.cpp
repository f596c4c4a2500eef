#include "app/database_factory.hpp"

#include <filesystem>

#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace irisx::app {

std::unique_ptr<store::Database> open_database(const std::string& url,
                                               boost::asio::any_io_executor executor,
                                               std::size_t pool_size) {
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return store::open_postgres(std::move(executor), url, pool_size);
  }
  std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty())
    throw store::StoreError(store::ErrorKind::unavailable, "empty SQLite path in database URL");
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  return store::open_sqlite(path, pool_size);
}

}  // namespace irisx::app
