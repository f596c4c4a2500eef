// Calls the engine places: a DID from a trunk routed to a tenant's number, then out through
// carrier trunks (digest, failover) or to an extension's registered phones (fork), bridged
// with media both ways. SIPp plays the caller, the carriers and the phones.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "integration/api_fixture.hpp"
#include "sip/rtp_sink.hpp"
#include "sip/voice_fixture.hpp"

namespace irisx::testing {
namespace {

constexpr const char* kDid = "+15550100";
constexpr const char* kRealm = "example.test";

struct Trunk {
  std::string name;
  int port = 0;
  std::string extra;  // more TOML lines
};

// Legs can start within the same millisecond, so tests find them by what they are.
const CallRecordRow& leg(const std::vector<CallRecordRow>& rows, const std::string& direction,
                         const std::string& trunk = "") {
  for (const auto& row : rows) {
    if (row.direction == direction && (trunk.empty() || row.trunk == trunk)) return row;
  }
  static const CallRecordRow none;
  ADD_FAILURE() << "no " << direction << " leg " << trunk;
  return none;
}

void wait_until_bound(int port) {
  if (!wait_for_udp_bind(port)) ADD_FAILURE() << "nothing bound UDP port " << port;
}

// A carrier that takes datagrams and never answers (a dead trunk that is not refusing: no ICMP
// port unreachable, so only the setup timer can tell).
struct SilentPeer {
  SilentPeer() {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~SilentPeer() { ::close(fd); }
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

class SipDial : public VoiceEngineTest {
 protected:
  void SetUp() override {}  // each test starts the engine with its own trunks

  // The engine with api+voice roles, `trunks` in its trunks file, and a tenant owning kDid.
  void start_with(const std::vector<Trunk>& trunks, const nlohmann::json& application) {
    const std::string path =
        ::testing::TempDir() + "trunks-" + std::to_string(::getpid()) + ".toml";
    std::ofstream file(path);
    // The caller (SIPp on 127.0.0.1) comes in through a trunk of its own.
    file << "[[trunk]]\nname = \"caller\"\nhost = \"127.0.0.1\"\nport = 9\n"
            "inbound_networks = [\"127.0.0.1/32\"]\n\n";
    for (const auto& t : trunks) {
      file << "[[trunk]]\nname = \"" << t.name << "\"\nhost = \"127.0.0.1\"\nport = " << t.port
           << "\ninbound_networks = []\n"
           << t.extra << "\n";
      // SIPp calls as "sipp", not an E.164 number: without a default the trunk is skipped.
      if (t.extra.find("default_caller_id") == std::string::npos)
        file << "default_caller_id = \"+15550000009\"\n";
    }
    file.close();
    start({{"IRISX_ROLES", "api,voice"}, {"IRISX_VOICE_TRUNKS_FILE", path}});
    tenant_ = signup(*irisx_);
    const auto created =
        irisx_->post("/v1/phone_numbers", {{"number", kDid}, {"voice_application", application}},
                     tenant_.access_token);
    ASSERT_EQ(created.status, 201) << created.body;
  }

  SippRun caller(const std::string& scenario) const {
    SippRun run;
    run.scenario = scenario;
    run.service = kDid;
    return run;
  }

  // A SIPp peer (carrier or phone) answering at a known port; run in the background.
  SippRun uas_run(const std::string& scenario, int port) const {
    SippRun run;
    run.scenario = scenario;
    run.service = "callee";
    run.local_port = port;
    return run;
  }

  TenantLogin tenant_;
};

TEST_F(SipDial, TrunkCallFailsOverPastADeadAndARefusingCarrierAndAnswersTheDigestChallenge) {
  RtpSink sink;
  SilentPeer dead;
  const int refusing = free_udp_port();
  const int carrier = free_udp_port();
  start_with({{"dead", dead.port, "setup_timeout_ms = 1000"},
              {"refusing", refusing, ""},
              {"carrier", carrier,
               "username = \"irisx-trunk\"\npassword = \"trunk-secret-42\"\n"
               "default_caller_id = \"+15550000001\""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer refusing_carrier(uas_run("uas-unavailable.xml", refusing));
  SippRun digest = uas_run("uas-carrier-digest.xml", carrier);
  digest.keys["rtpport"] = std::to_string(sink.port());
  Peer digest_carrier(digest);

  SippRun run = caller("uac-echo-caller-hangs-up.xml");  // offers PCMA, plays g711a.pcap
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult carrier_side = digest_carrier.wait();
  EXPECT_EQ(carrier_side.exit_code, 0) << carrier_side.describe();
  EXPECT_EQ(refusing_carrier.wait().exit_code, 0);

  // The carrier answered PCMU: all 236 PCMA packets of the caller reach it transcoded.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) {
    ASSERT_EQ(p.payload_type, 0);
    ASSERT_GE(p.payload_size, 160u) << "relayed with the caller's packetization (20 or 30 ms)";
  }
  const auto rows = records(4);
  ASSERT_EQ(rows.size(), 4u);
  const CallRecordRow& in = leg(rows, "inbound");
  EXPECT_EQ(in.trunk, "caller");
  EXPECT_EQ(in.tenant_id, tenant_.tenant_id);
  EXPECT_EQ(in.codec, "PCMA");
  EXPECT_EQ(in.packets_received, 236);
  const CallRecordRow& dead_leg = leg(rows, "outbound", "dead");
  EXPECT_EQ(dead_leg.hangup_cause, "recovery_on_timer_expire");
  EXPECT_FALSE(dead_leg.answered);
  const CallRecordRow& refused = leg(rows, "outbound", "refusing");
  EXPECT_EQ(refused.sip_status, 503);
  EXPECT_EQ(refused.hangup_cause, "normal_temporary_failure");
  const CallRecordRow& out = leg(rows, "outbound", "carrier");
  EXPECT_EQ(out.parent_call_id, in.id);
  EXPECT_EQ(out.tenant_id, tenant_.tenant_id);
  EXPECT_TRUE(out.answered);
  EXPECT_EQ(out.codec, "PCMU");
  EXPECT_EQ(out.packets_sent, 236);
  EXPECT_EQ(out.hangup_cause, "normal_clearing");
  EXPECT_EQ(in.hangup_cause, "normal_clearing");
  // The caller ID the carrier saw: the caller's From user is not E.164, so the trunk's default.
  EXPECT_NE(carrier_side.messages.find("<sip:+15550000001@127.0.0.1>;tag="), std::string::npos)
      << carrier_side.messages;
}

TEST_F(SipDial, BusyCarrierIsPassedBackAs486WithoutFailover) {
  const int busy = free_udp_port();
  const int spare = free_udp_port();
  start_with({{"busy", busy, ""}, {"spare", spare, ""}},
             {{"type", "dial"}, {"number", "+15559876543"}});
  Peer busy_carrier(uas_run("uas-busy.xml", busy));
  SippRun run = caller("uac-busy.xml");
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u) << "busy is final: the spare trunk is not tried";
  EXPECT_EQ(leg(rows, "outbound").trunk, "busy");
  EXPECT_EQ(leg(rows, "outbound").hangup_cause, "user_busy");
  EXPECT_EQ(leg(rows, "inbound").sip_status, 486);
}

TEST_F(SipDial, ExtensionRingsEveryRegisteredPhoneAndTheFirstToAnswerIsBridged) {
  RtpSink sink;
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  const auto credential = irisx_->request(
      "PUT", "/v1/sip/credentials/1001",
      nlohmann::json{{"password", "irisx-test-secret"}, {"realm", kRealm}}.dump(),
      {{"Authorization", "Bearer " + tenant_.access_token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(credential.status, 200) << credential.body;
  const int phone_a = free_udp_port();
  const int phone_b = free_udp_port();
  SippRun reg;
  reg.scenario = "uac-register-contacts.xml";
  reg.service = "1001";
  reg.keys["domain"] = kRealm;
  reg.keys["contact_a"] = std::to_string(phone_a);
  reg.keys["contact_b"] = std::to_string(phone_b);
  const SippResult registered = sipp(reg);
  ASSERT_EQ(registered.exit_code, 0) << registered.describe();

  Peer answering(uas_run("uas-answer-play.xml", phone_a));
  Peer ringing(uas_run("uas-ring-until-cancel.xml", phone_b));
  SippRun run = caller("uac-call-listen.xml");  // offers PCMU, media to the sink
  run.keys["rtpport"] = std::to_string(sink.port());
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult a = answering.wait();
  EXPECT_EQ(a.exit_code, 0) << a.describe();
  const SippResult b = ringing.wait();
  EXPECT_EQ(b.exit_code, 0) << b.describe();

  // The phone sent 236 PCMA packets; the caller hears all of them as PCMU.
  const auto packets = sink.packets();
  EXPECT_EQ(packets.size(), 236u);
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0);
  const auto rows = records(3);
  ASSERT_EQ(rows.size(), 3u);
  const CallRecordRow& in = leg(rows, "inbound");
  int answered = 0;
  int lost = 0;
  for (const auto& row : rows) {
    if (row.direction != "outbound") continue;
    EXPECT_EQ(row.extension, "1001");
    EXPECT_EQ(row.parent_call_id, in.id);
    if (row.answered) {
      ++answered;
      EXPECT_EQ(row.codec, "PCMA");
      EXPECT_EQ(row.packets_received, 236);
    } else {
      ++lost;
      EXPECT_EQ(row.hangup_cause, "lose_race");
    }
  }
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(in.codec, "PCMU");
  EXPECT_EQ(in.packets_sent, 236);
}

TEST_F(SipDial, ExtensionWithNothingRegisteredIsTemporarilyUnavailable) {
  start_with({}, {{"type", "extension"}, {"extension", "1001"}});
  const SippResult result = sipp(caller("uac-unavailable.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
}

TEST_F(SipDial, InviteFromAnAddressNoTrunkAllowsIsForbidden) {
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}});
  SippRun run = caller("uac-forbidden.xml");
  run.local_ip = "127.0.0.2";
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sip_status, 403);
}

TEST_F(SipDial, DidRoutesToTheNumbersDiagnosticApplication) {
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}});
  SippRun run = caller("uac-echo-caller-hangs-up.xml");
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].tenant_id, tenant_.tenant_id);
  // The echo ran (its media exactness is EchoSendsTheCallersAudioBack…'s job).
  EXPECT_GT(rows[0].packets_received, 200);
  EXPECT_EQ(rows[0].packets_sent, rows[0].packets_received);
}

}  // namespace
}  // namespace irisx::testing
