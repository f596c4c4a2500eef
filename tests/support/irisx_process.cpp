#include "support/irisx_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"

namespace irisx::testing {
std::string irisx_binary() {
  return IRISX_BINARY;
}

IrisxProcess::IrisxProcess(std::map<std::string, std::string> env)
    : data_dir_(make_temp_dir("irisx-test")) {
  const std::string ready = data_dir_ + "/ready";
  const std::string log_path = data_dir_ + "/irisx.log";
  env.emplace("IRISX_LOG_ACCESS", "false");
  // Cheaper Argon2 keeps tests fast; production defaults are unchanged.
  env.emplace("IRISX_AUTH_ARGON2_MEMORY_KIB", "8192");
  env.emplace("IRISX_AUTH_ARGON2_ITERATIONS", "1");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Only our settings: an IRISX_* variable from the caller's shell could change behaviour.
    for (char** e = environ; *e != nullptr;) {
      if (std::strncmp(*e, "IRISX_", 6) == 0) {
        std::string name(*e, std::strchr(*e, '=') - *e);
        unsetenv(name.c_str());
      } else {
        ++e;
      }
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    FILE* log = std::freopen(log_path.c_str(), "w", stderr);
    (void)log;
    std::string bin = irisx_binary();
    execl(bin.c_str(), bin.c_str(), "serve", "--listen", "127.0.0.1:0", "--data-dir",
          data_dir_.c_str(), "--ready-file", ready.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(ready);
    std::string address;
    if (in && std::getline(in, address) && !address.empty()) {
      auto colon = address.rfind(':');
      host_ = address.substr(0, colon);
      port_ = std::atoi(address.substr(colon + 1).c_str());
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("sip ", 0) == 0)
          sip_port_ = std::atoi(line.substr(line.rfind(':') + 1).c_str());
      }
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("irisx exited during start-up:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  throw std::runtime_error("irisx did not become ready:\n" + log());
}

IrisxProcess::~IrisxProcess() {
  if (pid_ > 0) terminate();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

std::string IrisxProcess::log() const {
  std::ifstream in(data_dir_ + "/irisx.log");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int IrisxProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void IrisxProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

HttpResult IrisxProcess::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) const {
  return http_request(host_, port_, method, target, body, headers);
}

HttpResult IrisxProcess::get(const std::string& target, const std::string& bearer) const {
  std::map<std::string, std::string> headers;
  if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
  return request("GET", target, "", headers);
}

HttpResult IrisxProcess::post(const std::string& target, const nlohmann::json& body,
                              const std::string& bearer) const {
  std::map<std::string, std::string> headers;
  if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
  return request("POST", target, body.dump(), headers);
}

}  // namespace irisx::testing
