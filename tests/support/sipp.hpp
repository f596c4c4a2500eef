#pragma once
// Runs SIPp (Debian's sip-tester) as the peer in SIP scenario tests: one scenario file from
// tests/sip/scenarios against a target, in a scratch directory that keeps its error and
// message logs for a failing case. Local SIP and media ports are ephemeral.
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace irisx::testing {

struct SippRun {
  std::string scenario;                      // file name under tests/sip/scenarios
  std::string target;                        // HOST:PORT of the engine
  std::string service;                       // the Request-URI user: the dialled number
  std::string transport = "u1";              // u1 (UDP) or t1 (TCP)
  std::string local_ip = "127.0.0.1";        // -i: the address SIPp sends from
  int local_port = 0;                        // -p: where SIPp listens (a UAS); 0: any
  std::map<std::string, std::string> keys;   // -key NAME VALUE, used as [NAME] in scenarios
  std::string auth_username;                 // -au, -ap: what a bare [authentication] answers
  std::string auth_password;                 //   a 401/407 challenge with
  int pause_ms = 0;                          // -d: the length of a bare <pause/>
  std::map<std::string, std::string> files;  // written into SIPp's working directory first
  std::chrono::seconds timeout{60};
};

struct SippResult {
  int exit_code = -1;    // 0: every call succeeded (SIPp's own convention)
  std::string errors;    // SIPp's error log
  std::string messages;  // every SIP message sent and received
  std::string describe() const;
};

class Sipp {
 public:
  explicit Sipp(SippRun run);  // starts SIPp in the background
  ~Sipp();
  Sipp(const Sipp&) = delete;
  Sipp& operator=(const Sipp&) = delete;

  SippResult wait();
  // The message log so far (to see how far a background scenario got).
  std::string messages() const;

 private:
  int pid_ = -1;
  std::string dir_;
};

// Runs one scenario to the end.
SippResult run_sipp(SippRun run);

// A UDP port on 127.0.0.1 that was free a moment ago.
int free_udp_port();

// This test process's 100 RTP ports for the engines it starts (min, max): one block of
// 20000-32699 per process, so parallel tests do not fight over ports, below the kernel's
// ephemeral ports and above SIPp's media ports (10000-19999).
std::pair<int, int> engine_rtp_ports();

// SIPp takes a moment to bind; an INVITE sent before that meets ICMP port unreachable (an
// immediate 503). Waits until something holds UDP `port` on 127.0.0.1; false after `limit`.
bool wait_for_udp_bind(int port, std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace irisx::testing
