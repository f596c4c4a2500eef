#pragma once
// A throwaway `nats-server -js` on a free loopback port with its own store directory.
#include <sys/types.h>

#include <string>

namespace irisx::testing {

class NatsServer {
 public:
  NatsServer();
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  std::string url() const;
  // Same port and store directory, so streams and consumers survive: durability tests.
  void restart();
  void stop();
  void start();
  // One server per test process, started on first use and stopped at exit.
  static NatsServer& shared();

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace irisx::testing
