#include "sip/rtp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace irisx::testing {

RtpSink::RtpSink() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("RtpSink: bind failed");
  }
  port_ = ntohs(address.sin_port);
  timeval timeout{0, 100000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  thread_ = std::thread([this] {
    std::array<std::uint8_t, 2048> buffer{};
    while (!stop_) {
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n < 12) continue;
      ReceivedRtp packet;
      packet.marker = (buffer[1] & 0x80) != 0;
      packet.payload_type = buffer[1] & 0x7f;
      packet.sequence = static_cast<std::uint16_t>(buffer[2] << 8 | buffer[3]);
      packet.timestamp = static_cast<std::uint32_t>(buffer[4]) << 24 |
                         static_cast<std::uint32_t>(buffer[5]) << 16 |
                         static_cast<std::uint32_t>(buffer[6]) << 8 | buffer[7];
      packet.payload_size = static_cast<std::size_t>(n) - 12;
      packet.payload.assign(buffer.begin() + 12, buffer.begin() + n);
      packet.arrival = std::chrono::steady_clock::now();
      std::lock_guard lock(mutex_);
      packets_.push_back(packet);
    }
  });
}

RtpSink::~RtpSink() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::vector<ReceivedRtp> RtpSink::packets() const {
  std::lock_guard lock(mutex_);
  return packets_;
}

}  // namespace irisx::testing
