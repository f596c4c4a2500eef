#include "support/webhook_receiver.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace irisx::testing {
namespace {

constexpr const char* kHost = "127.0.0.1";

}  // namespace

WebhookReceiver::WebhookReceiver() : dir_(make_temp_dir("irisx-hooks")) {
  const std::string script =
      std::string(IRISX_SOURCE_DIR) + "/tests/fakes/webhook-receiver/server.js";
  const std::string port_file = dir_ + "/port";
  const std::string log_path = dir_ + "/receiver.log";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test binary that crashes must not leave the receiver running.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (std::freopen(log_path.c_str(), "w", stderr) != nullptr) dup2(fileno(stderr), 1);
    execlp("node", "node", script.c_str(), "--port-file", port_file.c_str(),
           static_cast<char*>(nullptr));
    std::fprintf(stderr, "cannot run node: %s\n", std::strerror(errno));
    std::fflush(stderr);  // _exit skips stdio buffers
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    // server.js renames the file into place, so a line read here is always complete.
    std::ifstream in(port_file);
    std::string line;
    if (in && std::getline(in, line) && !line.empty()) {
      port_ = std::atoi(line.c_str());
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail_start("exited during start-up (node on PATH? scripts/install-deps.sh test run?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  fail_start("did not write its port");
}

void WebhookReceiver::fail_start(const std::string& what) {
  // The destructor does not run for a constructor that throws: clean up here.
  const std::string output = log();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  throw std::runtime_error("webhook receiver " + what + ":\n" + output);
}

WebhookReceiver::~WebhookReceiver() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string WebhookReceiver::url(const std::string& name) const {
  return "http://" + std::string(kHost) + ":" + std::to_string(port_) + "/hooks/" + name;
}

void WebhookReceiver::configure(const std::string& name, const nlohmann::json& settings) {
  HttpResult r = http_request(kHost, port_, "PUT", "/_endpoints/" + name, settings.dump());
  if (r.status != 200) {
    throw std::runtime_error("webhook receiver rejected settings for " + name + ": " + r.body);
  }
}

nlohmann::json WebhookReceiver::get_json(const std::string& target) const {
  HttpResult r = http_request(kHost, port_, "GET", target);
  if (r.status != 200) {
    throw std::runtime_error("webhook receiver answered " + std::to_string(r.status) + " to " +
                             target + ": " + r.body);
  }
  return r.json();
}

nlohmann::json WebhookReceiver::received(const std::string& name) const {
  return get_json("/_endpoints/" + name + "/received");
}

nlohmann::json WebhookReceiver::stats() const {
  return get_json("/_stats");
}

bool WebhookReceiver::wait_for(const std::string& name, std::size_t count,
                               std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Counts from /_stats, not the received list: polling must stay cheap with many deliveries.
    const nlohmann::json all = stats();
    if (!all.contains(name)) throw std::runtime_error("no webhook receiver endpoint " + name);
    if (all[name]["received"].get<std::size_t>() >= count) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string WebhookReceiver::log() const {
  std::ifstream in(dir_ + "/receiver.log");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace irisx::testing
