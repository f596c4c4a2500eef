#pragma once
// Fresh, empty stores for tests parameterized by store ("sqlite" | "postgres"): a new database
// on the shared throwaway PostgreSQL server, or a new SQLite file in its own directory.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "app/database_factory.hpp"
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
  dir = std::filesystem::temp_directory_path() /
        ("irisx-" + prefix + "-test-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
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

}  // namespace irisx::testing
