#pragma once
// A throwaway PostgreSQL server (tests/scripts/pg-test-server.sh) on a free loopback port.
#include <string>

namespace irisx::testing {

class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::string url() const;
  // One server per test process, started on first use and stopped at exit.
  static PostgresServer& shared();

 private:
  std::string dir_;
  int port_ = 0;
};

int free_port();

}  // namespace irisx::testing
