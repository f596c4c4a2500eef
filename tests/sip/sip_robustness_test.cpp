// Bad input and pressure: garbage and torture messages (in the spirit of RFC 4475) are
// answered or dropped without harm, and a full engine answers 503 with Retry-After.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "sip/voice_fixture.hpp"

namespace irisx::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Sends a request over UDP the way a client transaction does (RFC 3261 Timer A: again after
// 0.5 s, 1 s, 2 s, ... until something answers), because the burst of junk before it can fill
// the engine's socket buffer and the kernel then drops datagrams. Returns the status line of
// the final reply (or of the last provisional one) that comes within `wait_s` seconds, or ""
// when nothing comes back.
std::string send_udp(int port, const std::string& message, int wait_s) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = loopback(port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  std::string status;
  char buffer[4096];
  int interval_ms = 500;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status.empty()) {
      ::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to),
               sizeof to);
    }
    pollfd readable{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int wait_ms = status.empty() ? std::min<int>(interval_ms, static_cast<int>(left.count()))
                                       : static_cast<int>(left.count());
    if (::poll(&readable, 1, std::max(wait_ms, 0)) <= 0) {
      interval_ms *= 2;
      continue;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    std::string reply(buffer, static_cast<std::size_t>(n));
    status = reply.substr(0, reply.find("\r\n"));
    if (status.rfind("SIP/2.0 1", 0) != 0) break;
  }
  ::close(fd);
  return status;
}

void send_udp_only(int port, const std::string& message) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = loopback(port);
  ::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to),
           sizeof to);
  ::close(fd);
}

void send_tcp(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in to = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  ::close(fd);
}

std::string request(const std::string& first_line, const std::string& headers,
                    const std::string& body = "") {
  return first_line + "\r\n" + headers + "\r\n" + body;
}

const std::string kHeaders =
    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-torture\r\n"
    "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:echo@127.0.0.1>\r\n"
    "Call-ID: torture-1@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n";

TEST_F(VoiceEngineTest, GarbageAndTortureMessagesLeaveTheEngineServing) {
  const int port = irisx_->sip_port();
  std::mt19937 random(42);
  for (int i = 0; i < 200; ++i) {
    std::string junk(static_cast<std::size_t>(random() % 1400 + 1), '\0');
    for (auto& c : junk) c = static_cast<char>(random());
    send_udp_only(port, junk);
  }
  const std::vector<std::string> torture = {
      "\r\n\r\n",
      "INVITE sip:echo@127.0.0.1 SIP/2.0\r\n\r\n",  // no headers at all
      request("INVITE sip:echo@127.0.0.1 SIP/2.0", kHeaders + "Content-Length: 9999\r\n", "v=0"),
      request("INVITE sip:echo@127.0.0.1 SIP/2.0", kHeaders + "Content-Length: -5\r\n"),
      request("INVITE sip:echo@127.0.0.1 SIP/7.0", kHeaders + "Content-Length: 0\r\n"),
      request("INVITE sip:echo@127.0.0.1 SIP/2.0",
              kHeaders + "Content-Type: application/sdp\r\nContent-Length: 12\r\n",
              "v=0\r\nm=audio"),
      request("INVITE sip:echo@127.0.0.1 SIP/2.0",
              kHeaders + "Content-Type: application/sdp\r\nContent-Length: 40\r\n",
              std::string(40, '\x01')),
      request("NOTAMETHOD sip:echo@127.0.0.1 SIP/2.0", kHeaders + "Content-Length: 0\r\n"),
      request("INVITE sip:echo@127.0.0.1 SIP/2.0",
              kHeaders + "X-Long: " + std::string(60000, 'a') + "\r\nContent-Length: 0\r\n"),
      request("INVITE <sip:echo@127.0.0.1> SIP/2.0", kHeaders + "Content-Length: 0\r\n"),
      request("SIP/2.0 200 OK", kHeaders + "Content-Length: 0\r\n"),  // a stray response
  };
  for (const auto& message : torture) {
    send_udp_only(port, message);
    send_tcp(port, message);
  }
  send_tcp(port, std::string(1 << 20, 'x'));  // a megabyte of nothing on TCP

  // An INVITE whose SDP cannot be read is refused with a proper response, not dropped.
  const std::string unreadable =
      send_udp(port,
               request("INVITE sip:echo@127.0.0.1 SIP/2.0",
                       "Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-sdp\r\n"
                       "From: <sip:t@127.0.0.1>;tag=2\r\nTo: <sip:echo@127.0.0.1>\r\n"
                       "Call-ID: torture-sdp@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                       "Contact: <sip:t@127.0.0.1:5999>\r\n"
                       "Content-Type: application/sdp\r\nContent-Length: 7\r\n",
                       "garbage"),
               5);
  EXPECT_EQ(unreadable, "SIP/2.0 400 Bad Request");

  SippRun options;
  options.scenario = "uac-options.xml";
  options.service = "probe";
  const SippResult after = sipp(options);
  EXPECT_EQ(after.exit_code, 0) << after.describe();
  SippRun call;
  call.scenario = "uac-unknown-number.xml";
  call.service = "nobody";
  const SippResult still_calls = sipp(call);
  EXPECT_EQ(still_calls.exit_code, 0) << still_calls.describe();
}

TEST_F(VoiceEngineTest, AFullEngineAnswers503WithRetryAfter) {
  // At debug level the engine logs each INVITE it takes: that is how the test knows the
  // first call is up (SIPp buffers its own message log).
  start({{"IRISX_VOICE_MAX_CALLS", "1"}, {"IRISX_LOG_LEVEL", "debug"}});
  SippRun holder;
  holder.scenario = "uac-cancel-before-answer.xml";
  holder.service = "ring";
  holder.pause_ms = 3000;
  holder.target = target();
  Sipp ringing(holder);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (irisx_->log().find("to 'ring'") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  SippRun second;
  second.scenario = "uac-overload.xml";
  second.service = "echo";
  const SippResult refused = sipp(second);
  EXPECT_EQ(refused.exit_code, 0) << refused.describe();
  const SippResult first = ringing.wait();
  EXPECT_EQ(first.exit_code, 0) << first.describe();
}

TEST_F(VoiceEngineTest, SigtermHangsUpLiveCallsAndKeepsTheirRecords) {
  start({{"IRISX_LOG_LEVEL", "debug"}});
  SippRun run;
  run.scenario = "uac-prompt-engine-hangs-up.xml";  // answers the engine's BYE with 200
  run.service = "echo";                             // which never hangs up by itself
  run.keys["rtpport"] = std::to_string(free_udp_port());
  run.target = target();
  Sipp caller(run);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (irisx_->log().find("to 'echo'") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the ACK
  EXPECT_EQ(irisx_->terminate(), 0);
  const SippResult result = caller.wait();
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hangup_cause, "normal_clearing");
  EXPECT_TRUE(rows[0].answered);
}

}  // namespace
}  // namespace irisx::testing
