// A number's status callback, end to end: SIPp calls the DID through the loopback trunk, the
// number's echo diagnostic answers, the caller hangs up, and the engine's worker delivers one
// call.completed to the callback URL — a receiver that checks the signature with the Standard
// Webhooks reference library.
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "sip/dial_fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace irisx::testing {
namespace {

using namespace std::chrono_literals;

// The DID's status callback is the receiver's "call", which verifies with the callback secret.
void call_back_to(const IrisxProcess& irisx, const std::string& token, WebhookReceiver& receiver) {
  auto secret = irisx.post("/v1/webhooks/callback-secret", nlohmann::json::object(), token);
  ASSERT_EQ(secret.status, 200) << secret.body;
  receiver.configure("call", {{"secrets", {secret.json()["secret"]}}});
  auto numbers = irisx.get("/v1/phone_numbers", token).json();
  const std::string path = "/v1/phone_numbers/" + numbers["data"][0]["id"].get<std::string>();
  auto patched =
      irisx.request("PATCH", path, nlohmann::json{{"status_callback", receiver.url("call")}}.dump(),
                    {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
}

// The one call.completed the receiver got (failing the test unless exactly one, verified).
nlohmann::json only_callback(const WebhookReceiver& receiver, const IrisxProcess& irisx) {
  EXPECT_TRUE(receiver.wait_for("call", 1, 15s)) << irisx.log();
  std::this_thread::sleep_for(500ms);  // time for a second one, which must not come
  const nlohmann::json got = receiver.received("call");
  EXPECT_EQ(got.size(), 1u) << got.dump();
  if (got.empty()) return nlohmann::json::object();
  EXPECT_TRUE(got[0]["verified"].get<bool>()) << got[0].dump();
  return nlohmann::json::parse(got[0]["body"].get<std::string>());
}

const std::map<std::string, std::string> kWithWorker = {
    {"IRISX_ROLES", "api,worker,voice"}, {"IRISX_WEBHOOKS_ALLOW_NETWORKS", "127.0.0.0/8"}};

TEST_F(SipDial, AnEndedCallOnTheDidSendsOneSignedCallCompletedToItsStatusCallback) {
  WebhookReceiver receiver;
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}}, kWithWorker);
  call_back_to(*irisx_, tenant_.access_token, receiver);

  const SippResult result = sipp(caller("uac-echo-caller-hangs-up.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);

  const nlohmann::json body = only_callback(receiver, *irisx_);
  EXPECT_EQ(body["type"], "call.completed");
  EXPECT_EQ(body["tenant_id"], tenant_.tenant_id);
  EXPECT_EQ(body["data"]["call_id"], rows[0].id);
  EXPECT_EQ(body["data"]["status"], "completed");
  EXPECT_EQ(body["data"]["direction"], "inbound");
  EXPECT_EQ(body["data"]["number"], kDid);
  EXPECT_GT(body["data"]["duration_ms"].get<std::int64_t>(), 0);
}

TEST_F(SipDial, ADialledLegCallsNothingBackAndTheCallersLegReportsBusy) {
  WebhookReceiver receiver;
  const int busy = free_udp_port();
  start_with({{"busy", busy, ""}}, {{"type", "dial"}, {"number", "+15559876543"}}, kWithWorker);
  call_back_to(*irisx_, tenant_.access_token, receiver);
  Peer busy_carrier(uas_run("uas-busy.xml", busy));

  const SippResult result = sipp(caller("uac-busy.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(2);
  ASSERT_EQ(rows.size(), 2u);

  const nlohmann::json body = only_callback(receiver, *irisx_);
  EXPECT_EQ(body["data"]["call_id"], leg(rows, "inbound").id);
  EXPECT_EQ(body["data"]["status"], "busy");
  EXPECT_EQ(body["data"]["sip_status"], 486);
  EXPECT_TRUE(body["data"]["answered_at"].is_null());
}

TEST_F(SipDial, APhoneCallingItsTenantsDidAlsoReachesTheNumbersStatusCallback) {
  WebhookReceiver receiver;
  start_with({}, {{"type", "diagnostic"}, {"name", "echo"}}, kWithWorker);
  call_back_to(*irisx_, tenant_.access_token, receiver);
  set_sip_password(*irisx_, tenant_.access_token, "1001", "irisx-test-secret", kRealm);
  SippRun phone;  // from 127.0.0.2, which no trunk lists: it authenticates as extension 1001
  phone.scenario = "uac-digest-call.xml";
  phone.service = kDid;
  phone.local_ip = "127.0.0.2";
  phone.keys["caller"] = "1001";
  phone.keys["domain"] = kRealm;
  phone.auth_username = "1001";
  phone.auth_password = "irisx-test-secret";
  const SippResult result = sipp(phone);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].extension, "1001");

  const nlohmann::json body = only_callback(receiver, *irisx_);
  EXPECT_EQ(body["data"]["call_id"], rows[0].id);
  EXPECT_EQ(body["data"]["status"], "completed");
  EXPECT_EQ(body["data"]["number"], kDid);
}

}  // namespace
}  // namespace irisx::testing
