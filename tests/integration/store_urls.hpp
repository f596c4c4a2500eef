#pragma once
// Fresh, empty stores for tests parameterized by store ("sqlite" | "postgres"): a new database
// on the shared throwaway PostgreSQL server, or a new SQLite file in its own directory; and a
// fixture holding one with the migrations applied.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "app/database_factory.hpp"
#include "store/migrations.hpp"
#include "support/postgres_server.hpp"

namespace irisx::testing {

// CREATE DATABASE <prefix>_<pid>_<n> on the shared server; returns its URL.
inline std::string fresh_postgres_database(const std::string& prefix) {
  static int counter = 0;
  const std::string base = PostgresServer::shared().url();
  const std::string name =
      prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  boost::asio::io_context io;
  auto admin = app::open_database(base, io.get_executor(), 1);
  std::exception_ptr failure;
  boost::asio::co_spawn(io, admin->exec_script("CREATE DATABASE " + name),
                        [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return base.substr(0, base.rfind('/') + 1) + name;
}

// The store URL for `kind`; for SQLite, `dir` is set to a fresh directory the caller removes.
inline std::string fresh_store_url(const std::string& kind, const std::string& prefix,
                                   std::filesystem::path& dir) {
  if (kind == "postgres") return fresh_postgres_database(prefix);
  // One flat directory: a parameterized test's name ("Name/sqlite") would nest one, and the
  // caller's remove_all would leave its parent behind.
  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(test.begin(), test.end(), '/', '-');
  dir = std::filesystem::temp_directory_path() /
        ("irisx-" + prefix + "-test-" + std::to_string(::getpid()) + "-" + test);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return "sqlite:" + (dir / "test.db").string();
}

// Runs `work` on `io` until it ends (with whatever else is queued there), then readies `io` for
// the next call; rethrows what `work` threw.
template <class T>
T run_to_end(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  std::optional<T> out;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) out = std::move(value);
  });
  io.run();
  io.restart();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

inline void run_to_end(boost::asio::io_context& io, boost::asio::awaitable<void> work) {
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { failure = e; });
  io.run();
  io.restart();
  if (failure) std::rethrow_exception(failure);
}

// A fresh store of the parameter's kind with IRISX's migrations applied, as `irisx migrate`
// applies them. Services built on db_ belong in the derived fixture: its members go before the
// base's, so none outlives the store.
class MigratedStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  explicit MigratedStoreTest(std::string prefix) : prefix_(std::move(prefix)) {}
  ~MigratedStoreTest() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void SetUp() override {
    db_ = app::open_database(fresh_store_url(GetParam(), prefix_, dir_), io_.get_executor(), 2);
    run(store::migrate(*db_));
  }

  void add_tenants(std::initializer_list<const char*> ids) {
    for (const char* id : ids) {
      run(db_->exec(
          "INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES ($1, $1, "
          "'active', 0, 0)",
          store::args(id)));
    }
  }

  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return run_to_end(io_, std::move(work));
  }
  void run(boost::asio::awaitable<void> work) { run_to_end(io_, std::move(work)); }

  boost::asio::io_context io_;
  std::unique_ptr<store::Database> db_;

 private:
  std::string prefix_;
  std::filesystem::path dir_;
};

}  // namespace irisx::testing
