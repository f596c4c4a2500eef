#include "support/sipp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"

namespace irisx::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool wait_for_udp_bind(int port, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0;
    ::close(fd);
    if (taken) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

namespace {

bool udp_port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

// SIPp binds its media port and the three above it (audio RTP/RTCP, video RTP/RTCP), and an
// even one. They come from 10000-19999: below the engines' RTP ranges (engine_rtp_ports) and
// the kernel's ephemeral ports (32768 and up), which other tests' sockets take at any moment,
// so a port found free stays free until SIPp binds it. Each test process starts 80 ports past
// the previous pid's start, so two tests run side by side (consecutive pids) do not both find
// the same block free before either SIPp binds it.
int free_media_ports() {
  static std::atomic<int> next{10000 + static_cast<int>(::getpid() % 125) * 80};
  for (int tries = 0; tries < 2500; ++tries) {
    const int port = 10000 + (next.fetch_add(4) - 10000) % 10000;
    if (udp_port_free(port) && udp_port_free(port + 1) && udp_port_free(port + 2) &&
        udp_port_free(port + 3))
      return port;
  }
  throw std::runtime_error("no free SIPp media ports in 10000-19999");
}

}  // namespace

std::pair<int, int> engine_rtp_ports() {
  const int base = 20000 + static_cast<int>(::getpid() % 127) * 100;
  return {base, base + 99};
}

std::string SippResult::describe() const {
  return "sipp exit code " + std::to_string(exit_code) + "\n--- errors:\n" + errors +
         "\n--- messages:\n" + messages;
}

Sipp::Sipp(SippRun run) : dir_(make_temp_dir("irisx-sipp")) {
  const std::string scenario =
      std::string(IRISX_SOURCE_DIR) + "/tests/sip/scenarios/" + run.scenario;
  const int media_port = free_media_ports();
  std::vector<std::string> args = {"sipp",
                                   run.target,
                                   "-sf",
                                   scenario,
                                   "-s",
                                   run.service,
                                   "-t",
                                   run.transport,
                                   "-i",
                                   run.local_ip,
                                   "-mi",
                                   "127.0.0.1",
                                   "-mp",
                                   std::to_string(media_port),
                                   "-m",
                                   "1",
                                   "-nostdin",
                                   "-timeout",
                                   std::to_string(run.timeout.count()) + "s",
                                   "-timeout_error",
                                   "-trace_err",
                                   "-error_file",
                                   dir_ + "/errors.log",
                                   "-trace_msg",
                                   "-message_file",
                                   dir_ + "/messages.log"};
  if (run.local_port > 0) {
    args.push_back("-p");
    args.push_back(std::to_string(run.local_port));
  }
  if (run.pause_ms > 0) {
    args.push_back("-d");
    args.push_back(std::to_string(run.pause_ms));
  }
  if (!run.auth_username.empty()) {
    args.insert(args.end(), {"-au", run.auth_username, "-ap", run.auth_password});
  }
  for (const auto& [name, content] : run.files) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << content;
  }
  for (const auto& [name, value] : run.keys) {
    args.push_back("-key");
    args.push_back(name);
    args.push_back(value);
  }
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (chdir(dir_.c_str()) != 0) _exit(126);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    const int err = open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("sipp", argv.data());
    _exit(127);
  }
}

Sipp::~Sipp() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string Sipp::messages() const {
  return read_all(dir_ + "/messages.log");
}

SippResult Sipp::wait() {
  SippResult result;
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
  }
  result.errors = read_all(dir_ + "/errors.log") + read_all(dir_ + "/stderr.log");
  result.messages = messages();
  return result;
}

SippResult run_sipp(SippRun run) {
  Sipp sipp(std::move(run));
  return sipp.wait();
}

}  // namespace irisx::testing
