// A number's status callback, end to end: SIPp calls the DID through the loopback trunk, the
// number's echo diagnostic answers, the caller hangs up, and the engine's worker delivers one
// call.completed to the callback URL — a receiver that checks the signature with the Standard
// Webhooks reference library.
#include <chrono>
#include <thread>

#include "sip/dial_fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace irisx::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(SipDial, AnEndedCallOnTheDidSendsOneSignedCallCompletedToItsStatusCallback) {
  WebhookReceiver receiver;
  start_with(
      {}, {{"type", "diagnostic"}, {"name", "echo"}},
      {{"IRISX_ROLES", "api,worker,voice"}, {"IRISX_WEBHOOKS_ALLOW_NETWORKS", "127.0.0.0/8"}});
  const std::string token = tenant_.access_token;
  auto secret = irisx_->post("/v1/webhooks/callback-secret", nlohmann::json::object(), token);
  ASSERT_EQ(secret.status, 200) << secret.body;
  receiver.configure("call", {{"secrets", {secret.json()["secret"]}}});
  auto numbers = irisx_->get("/v1/phone_numbers", token).json();
  const std::string path = "/v1/phone_numbers/" + numbers["data"][0]["id"].get<std::string>();
  auto patched = irisx_->request(
      "PATCH", path, nlohmann::json{{"status_callback", receiver.url("call")}}.dump(),
      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(patched.status, 200) << patched.body;

  const SippResult result = sipp(caller("uac-echo-caller-hangs-up.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);

  ASSERT_TRUE(receiver.wait_for("call", 1, 15s)) << irisx_->log();
  std::this_thread::sleep_for(500ms);
  const nlohmann::json got = receiver.received("call");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0]["verified"].get<bool>()) << got[0].dump();
  const auto body = nlohmann::json::parse(got[0]["body"].get<std::string>());
  EXPECT_EQ(body["type"], "call.completed");
  EXPECT_EQ(body["tenant_id"], tenant_.tenant_id);
  EXPECT_EQ(body["data"]["call_id"], rows[0].id);
  EXPECT_EQ(body["data"]["status"], "completed");
  EXPECT_EQ(body["data"]["direction"], "inbound");
  EXPECT_EQ(body["data"]["number"], kDid);
  EXPECT_GT(body["data"]["duration_ms"].get<std::int64_t>(), 0);
}

}  // namespace
}  // namespace irisx::testing
