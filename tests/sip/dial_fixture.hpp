#pragma once
// Calls the engine routes and places, with SIPp as caller, carriers and phones: an engine with
// api+voice roles, a trunks file of loopback carriers and a tenant owning one DID.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
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

// The status line a NOTIFY carried to a phone that sent REFER (the body after its sipfrag
// Content-Type), e.g. "SIP/2.0 200".
std::string transfer_report(const SippResult& phone);

class SipDial : public VoiceEngineTest {
 protected:
  void SetUp() override {}  // each test starts the engine with its own trunks

  // The engine with api+voice roles, `trunks` in its trunks file, and a tenant owning kDid;
  // `extra` adds or overrides IRISX_* settings (IRISX_ROLES among them).
  void start_with(const std::vector<Trunk>& trunks, const nlohmann::json& application,
                  const std::map<std::string, std::string>& extra = {});
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
