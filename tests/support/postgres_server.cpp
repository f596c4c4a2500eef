#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace irisx::testing {
namespace {
const std::string kScript = std::string(IRISX_SOURCE_DIR) + "/tests/scripts/pg-test-server.sh";
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

PostgresServer::PostgresServer() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "irisx-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    std::string cmd = kScript + " start " + dir_ + " " + std::to_string(port_);
    if (std::system(cmd.c_str()) == 0) return;
    std::system((kScript + " stop " + dir_).c_str());
    std::filesystem::create_directories(dir_);
  }
  throw std::runtime_error("could not start a test PostgreSQL server");
}

PostgresServer::~PostgresServer() {
  int rc = std::system((kScript + " stop " + dir_).c_str());
  (void)rc;
}

std::string PostgresServer::url() const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/irisx";
}

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;
  return server;
}

}  // namespace irisx::testing
