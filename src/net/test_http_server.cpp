#include "net/test_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace irisx::net::testing {
namespace {

// Short poll slices let every blocking wait notice that the server is stopping.
constexpr int kPollSliceMs = 20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == text.npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

// Parses the request line and header fields of `head` (without the final CRLF CRLF).
ReceivedRequest parse_head(std::string_view head) {
  ReceivedRequest request;
  auto line_end = head.find("\r\n");
  const auto request_line = head.substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  request.method = std::string(request_line.substr(0, first_space));
  request.target =
      std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
  while (line_end != head.npos) {
    const auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    const auto line = head.substr(start, line_end == head.npos ? head.npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == line.npos) continue;
    request.headers.emplace_back(std::string(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return request;
}

std::string render(const CannedReply& reply) {
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Canned\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
  return out + reply.body;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

sockaddr_in loopback_any_port() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  return addr;
}

// Binds a fresh TCP socket to 127.0.0.1 on an ephemeral port; returns the fd and port.
std::pair<int, std::uint16_t> bind_loopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  auto addr = loopback_any_port();
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind to 127.0.0.1 failed");
  }
  return {fd, ntohs(addr.sin_port)};
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

TestHttpServer::TestHttpServer(Handler handler) : handler_(std::move(handler)) {
  std::tie(listen_fd_, port_) = bind_loopback();
  if (::listen(listen_fd_, SOMAXCONN) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("listen failed");
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  stopping_ = true;
  acceptor_.join();
  // The acceptor has stopped, so workers_ no longer grows.
  for (auto& worker : workers_) worker.join();
  ::close(listen_fd_);
}

std::string TestHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::size_t TestHttpServer::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::vector<ReceivedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool TestHttpServer::wait_for_connections(std::size_t count,
                                          std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return accepted_.wait_for(lock, timeout, [&] { return connections_ >= count; });
}

bool TestHttpServer::wait_readable(int fd) const {
  while (!stopping_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollSliceMs) > 0) return true;
  }
  return false;
}

void TestHttpServer::accept_loop() {
  while (wait_readable(listen_fd_)) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    ++connections_;
    workers_.emplace_back([this, fd] { serve(fd); });
    accepted_.notify_all();
  }
}

bool TestHttpServer::read_more(int fd, std::string& buffer) const {
  if (!wait_readable(fd)) return false;
  char chunk[16 * 1024];
  const auto got = ::recv(fd, chunk, sizeof chunk, 0);
  if (got <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(got));
  return true;
}

void TestHttpServer::serve(int fd) {
  exchange(fd);
  ::close(fd);
}

void TestHttpServer::exchange(int fd) {
  std::string buffer;
  for (;;) {
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == buffer.npos) {
      if (!read_more(fd, buffer)) return;
    }
    auto request = parse_head(std::string_view(buffer).substr(0, head_end));
    const auto length_text = request.header("Content-Length");
    const std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
    const std::size_t total = head_end + 4 + length;
    while (buffer.size() < total) {
      if (!read_more(fd, buffer)) return;
    }
    request.body = buffer.substr(head_end + 4, length);
    buffer.erase(0, total);
    const auto reply = handler_(request);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(request));
    }
    if (reply.never_answer) {
      while (wait_readable(fd)) {
        char sink[512];
        if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
      }
      return;
    }
    if (!send_all(fd, render(reply))) return;
  }
}

std::uint16_t closed_port() {
  const auto [fd, port] = bind_loopback();
  ::close(fd);
  return port;
}

}  // namespace irisx::net::testing
