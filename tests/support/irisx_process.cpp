#include "support/irisx_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace irisx::testing {
namespace {

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "irisx-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

int connect_to(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to irisx");
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close early (e.g. 413): read what it said
    sent += static_cast<std::size_t>(n);
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one HTTP/1.1 response (Content-Length framed, as irisx always sends).
HttpResult read_response(int fd) {
  std::string data;
  char buf[16384];
  std::size_t header_end = std::string::npos;
  HttpResult result;
  std::size_t content_length = 0;
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::istringstream head(data.substr(0, header_end));
        std::string line;
        std::getline(head, line);
        if (line.size() > 12) result.status = std::atoi(line.substr(9, 3).c_str());
        while (std::getline(head, line)) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          auto colon = line.find(':');
          if (colon == std::string::npos) continue;
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          result.headers[lower(line.substr(0, colon))] = value;
        }
        if (result.status == 100) {  // 100 Continue: skip it and read the real response
          data.erase(0, header_end + 4);
          header_end = std::string::npos;
          result = HttpResult{};
          continue;
        }
        content_length =
            static_cast<std::size_t>(std::atoll(result.headers["content-length"].c_str()));
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) {
      result.body = data.substr(header_end + 4, content_length);
      return result;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (header_end != std::string::npos) result.body = data.substr(header_end + 4);
      return result;
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string irisx_binary() {
  return IRISX_BINARY;
}

nlohmann::json HttpResult::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("response is not JSON: " + body.substr(0, 200));
  return j;
}

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

IrisxProcess::IrisxProcess(std::map<std::string, std::string> env) : data_dir_(make_temp_dir()) {
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
  std::ostringstream req;
  req << method << " " << target << " HTTP/1.1\r\nHost: " << host_ << ":" << port_ << "\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req << k << ": " << v << "\r\n";
    has_type = has_type || lower(k) == "content-type";
  }
  if (!body.empty() && !has_type) req << "Content-Type: application/json\r\n";
  req << "Content-Length: " << body.size() << "\r\nConnection: close\r\n\r\n" << body;
  int fd = connect_to(host_, port_);
  send_all(fd, req.str());
  HttpResult result = read_response(fd);
  close(fd);
  return result;
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

std::string raw_exchange(const std::string& host, int port, const std::string& bytes) {
  int fd = connect_to(host, port);
  send_all(fd, bytes);
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

}  // namespace irisx::testing
