#pragma once
// A UDP socket on 127.0.0.1 that records every RTP packet sent to it, for checking what the
// engine plays: sequence numbers, timestamps, payload type and arrival times.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace irisx::testing {

struct ReceivedRtp {
  std::uint8_t payload_type = 0;
  bool marker = false;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::size_t payload_size = 0;
  std::vector<std::uint8_t> payload;  // to decode what was played or sent as digits
  std::chrono::steady_clock::time_point arrival;
};

class RtpSink {
 public:
  RtpSink();
  ~RtpSink();
  RtpSink(const RtpSink&) = delete;
  RtpSink& operator=(const RtpSink&) = delete;

  int port() const { return port_; }
  std::vector<ReceivedRtp> packets() const;

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedRtp> packets_;
  std::thread thread_;
};

}  // namespace irisx::testing
