#pragma once
// A really running `irisx serve --roles voice` with the diagnostic numbers on, its own RTP
// port range, and its SQLite store, where the tests read the call records it wrote.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/irisx_process.hpp"
#include "support/sipp.hpp"

namespace irisx::testing {

struct CallRecordRow {
  std::string id;
  std::string direction;
  std::string tenant_id;
  std::string trunk;
  std::string extension;
  std::string parent_call_id;
  std::string hangup_cause;
  int sip_status = 0;
  std::string codec;
  std::string transport;
  std::int64_t packets_received = 0;
  std::int64_t packets_sent = 0;
  std::int64_t duration_ms = 0;
  std::int64_t billable_s = 0;
  bool answered = false;
  double mos = 0;
  std::string digits;
  std::string recording;
};

// Legs can start within the same millisecond, so tests find them by what they are.
const CallRecordRow& leg(const std::vector<CallRecordRow>& rows, const std::string& direction,
                         const std::string& trunk = "");

// SIPp takes a moment to bind; an INVITE sent before that meets ICMP port unreachable.
void wait_until_bound(int port);

// A SIPp peer (carrier or phone) in the background, ready once constructed.
struct Peer {
  explicit Peer(SippRun run) : port(run.local_port), sipp(std::move(run)) {
    wait_until_bound(port);
  }
  SippResult wait() { return sipp.wait(); }
  int port;
  Sipp sipp;
};

// Sets an extension's SIP password through the API (PUT /v1/sip/credentials/{extension}).
void set_sip_password(const IrisxProcess& irisx, const std::string& access_token,
                      const std::string& extension, const std::string& password,
                      const std::string& realm);

// A third-party REGISTER (uac-register-contacts.xml) of two phones for `extension`, at
// 127.0.0.1:contact_a and :contact_b, answering the digest challenge with `password`.
SippRun register_contacts_run(const std::string& extension, const std::string& realm,
                              const std::string& password, int contact_a, int contact_b);

class VoiceEngineTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Restarts the engine with extra IRISX_* settings.
  void start(std::map<std::string, std::string> extra = {});

  std::string target() const;
  SippResult sipp(SippRun run);
  // Waits until the store holds `count` call records and returns them, oldest first.
  std::vector<CallRecordRow> records(std::size_t count);

  std::unique_ptr<IrisxProcess> irisx_;
};

}  // namespace irisx::testing
