#pragma once
// Runs the real `irisx serve` binary for integration tests: a fresh data directory, an
// ephemeral port (reported through --ready-file), extra IRISX_* settings, and SIGTERM on
// destruction. Requests go through the test-support HTTP client (http_client.hpp).
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"

namespace irisx::testing {

class IrisxProcess {
 public:
  // env: extra environment, e.g. {"IRISX_DATABASE_URL", "postgres://…"}.
  explicit IrisxProcess(std::map<std::string, std::string> env = {});
  ~IrisxProcess();
  IrisxProcess(const IrisxProcess&) = delete;
  IrisxProcess& operator=(const IrisxProcess&) = delete;

  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {}) const;
  HttpResult get(const std::string& target, const std::string& bearer = "") const;
  HttpResult post(const std::string& target, const nlohmann::json& body,
                  const std::string& bearer = "") const;

  // Sends SIGTERM and waits; returns the exit status.
  int terminate();
  void kill9();
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // The SIP port when the process runs the voice role (0 otherwise).
  int sip_port() const { return sip_port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string log() const;  // what the server wrote to stderr

 private:
  int pid_ = -1;
  std::string host_;
  int port_ = 0;
  int sip_port_ = 0;
  std::string data_dir_;
};

// The path of the built irisx binary (IRISX_BINARY compile definition).
std::string irisx_binary();

}  // namespace irisx::testing
