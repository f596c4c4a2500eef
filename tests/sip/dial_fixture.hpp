#pragma once
// Calls the engine routes and places, with SIPp as caller, carriers and phones: an engine with
// api+voice roles, a trunks file of loopback carriers and a tenant owning one DID.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "integration/api_fixture.hpp"
#include "sip/voice_fixture.hpp"

namespace irisx::testing {

inline constexpr const char* kDid = "+15550100";
inline constexpr const char* kRealm = "example.test";

struct Trunk {
  std::string name;
  int port = 0;
  std::string extra;  // more TOML lines
};

// Legs can start within the same millisecond, so tests find them by what they are.
const CallRecordRow& leg(const std::vector<CallRecordRow>& rows, const std::string& direction,
                         const std::string& trunk = "");

// SIPp takes a moment to bind; an INVITE sent before that meets ICMP port unreachable.
void wait_until_bound(int port);

// A carrier that takes datagrams and never answers (a dead trunk that is not refusing: no ICMP
// port unreachable, so only the setup timer can tell).
struct SilentPeer {
  SilentPeer();
  ~SilentPeer();
  SilentPeer(const SilentPeer&) = delete;
  SilentPeer& operator=(const SilentPeer&) = delete;
  int fd = -1;
  int port = 0;
};

// A SIPp peer (carrier or phone) in the background, ready once constructed.
struct Peer {
  explicit Peer(SippRun run) : port(run.local_port), sipp(std::move(run)) {
    wait_until_bound(port);
  }
  SippResult wait() { return sipp.wait(); }
  int port;
  Sipp sipp;
};

// The status line a NOTIFY carried to a phone that sent REFER (the body after its sipfrag
// Content-Type), e.g. "SIP/2.0 200".
std::string transfer_report(const SippResult& phone);

class SipDial : public VoiceEngineTest {
 protected:
  void SetUp() override {}  // each test starts the engine with its own trunks

  // The engine with api+voice roles, `trunks` in its trunks file, and a tenant owning kDid.
  void start_with(const std::vector<Trunk>& trunks, const nlohmann::json& application);
  // A caller from the "caller" trunk (127.0.0.1) dialling kDid.
  SippRun caller(const std::string& scenario) const;
  // A SIPp peer (carrier or phone) answering at a known port; run in the background.
  SippRun uas_run(const std::string& scenario, int port) const;
  // A SIP credential for `extension` and one phone registered for it at contact_host:port,
  // sending the REGISTER from `from_port` (0: any).
  void register_phone(const std::string& extension, int port,
                      const std::string& contact_host = "127.0.0.1", int from_port = 0);

  TenantLogin tenant_;
};

}  // namespace irisx::testing
