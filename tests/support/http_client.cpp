#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

namespace irisx::testing {
namespace {

int connect_to(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port));
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

// Reads one HTTP/1.1 response (Content-Length framed, as irisx and the fakes always send).
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

nlohmann::json HttpResult::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("response is not JSON: " + body.substr(0, 200));
  return j;
}

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResult http_request(const std::string& host, int port, const std::string& method,
                        const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  std::ostringstream req;
  req << method << " " << target << " HTTP/1.1\r\nHost: " << host << ":" << port << "\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req << k << ": " << v << "\r\n";
    has_type = has_type || lower(k) == "content-type";
  }
  if (!body.empty() && !has_type) req << "Content-Type: application/json\r\n";
  req << "Content-Length: " << body.size() << "\r\nConnection: close\r\n\r\n" << body;
  int fd = connect_to(host, port);
  send_all(fd, req.str());
  HttpResult result = read_response(fd);
  close(fd);
  return result;
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
