#include "voice/sip/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace irisx::voice::sip {
namespace {

// Binds a socket of `type` to host:port and returns the bound port (0 on failure).
std::uint16_t try_bind(const std::string& host, int type, std::uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  int family = AF_INET;
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return 0;
  }
  const int fd = ::socket(family, type, 0);
  if (fd < 0) return 0;
  std::uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) == 0) {
    bound = ntohs(family == AF_INET ? v4->sin_port : v6->sin6_port);
  }
  ::close(fd);
  return bound;
}

}  // namespace

std::uint16_t pick_free_port(const std::string& host) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::uint16_t port = try_bind(host, SOCK_DGRAM, 0);
    if (port != 0 && try_bind(host, SOCK_STREAM, port) == port) return port;
  }
  return 0;
}

}  // namespace irisx::voice::sip
