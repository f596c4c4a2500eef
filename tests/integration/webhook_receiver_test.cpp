// The fake webhook receiver, driven through its C++ class, accepts a delivery signed the
// Standard Webhooks way with our crypto primitives and rejects a wrong signature. This pins the
// receiver's contract for the delivery tests, independently of IRISX's own signer.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/crypto.hpp"
#include "support/http_client.hpp"
#include "support/webhook_receiver.hpp"

namespace irisx::testing {
namespace {

using namespace std::chrono_literals;

struct Signed {
  std::string id;
  std::string timestamp;
  std::string signature;
};

// Standard Webhooks: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>.
Signed sign(const std::string& key, const std::string& id, const std::string& body) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string ts =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
  return {id, ts, "v1," + crypto::base64(crypto::hmac_sha256(key, id + "." + ts + "." + body))};
}

HttpResult deliver(const WebhookReceiver& receiver, const std::string& name, const Signed& s,
                   const std::string& body) {
  return http_request("127.0.0.1", receiver.port(), "POST", "/hooks/" + name, body,
                      {{"webhook-id", s.id},
                       {"webhook-timestamp", s.timestamp},
                       {"webhook-signature", s.signature}});
}

class WebhookReceiverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { receiver_ = std::make_unique<WebhookReceiver>(); }
  static void TearDownTestSuite() { receiver_.reset(); }
  static WebhookReceiver& receiver() { return *receiver_; }

  const std::string key_ = crypto::random_bytes(24);
  const std::string secret_ = "whsec_" + crypto::base64(key_);

 private:
  static std::unique_ptr<WebhookReceiver> receiver_;
};

std::unique_ptr<WebhookReceiver> WebhookReceiverTest::receiver_;

TEST_F(WebhookReceiverTest, DeliverySignedWithTheSecretIsRecordedVerified) {
  receiver().configure("signed", {{"secrets", {secret_}}});
  EXPECT_EQ(receiver().url("signed"),
            "http://127.0.0.1:" + std::to_string(receiver().port()) + "/hooks/signed");
  const std::string body = R"({"id":"EV1","type":"message.delivered"})";
  EXPECT_EQ(deliver(receiver(), "signed", sign(key_, "msg_1", body), body).status, 200);

  ASSERT_TRUE(receiver().wait_for("signed", 1, 5s));
  const nlohmann::json got = receiver().received("signed");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["webhook_id"], "msg_1");
  EXPECT_EQ(got[0]["body"], body);
  EXPECT_EQ(got[0]["verified"], true);
  EXPECT_EQ(got[0]["verified_with"], nlohmann::json::array({0}));
  EXPECT_EQ(got[0]["status"], 200);
  EXPECT_EQ(receiver().stats()["signed"]["verified"], 1);
  EXPECT_FALSE(receiver().wait_for("signed", 2, 50ms));
}

TEST_F(WebhookReceiverTest, DeliveryWithAWrongSignatureIsRecordedUnverifiedAnd400) {
  receiver().configure("wrong", {{"secrets", {secret_}}});
  const std::string body = R"({"id":"EV2"})";
  const Signed other = sign(crypto::random_bytes(24), "msg_2", body);
  EXPECT_EQ(deliver(receiver(), "wrong", other, body).status, 400);

  const nlohmann::json got = receiver().received("wrong");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["verified"], false);
  EXPECT_EQ(got[0]["verified_with"], nlohmann::json::array());
  EXPECT_EQ(got[0]["status"], 400);
}

TEST_F(WebhookReceiverTest, ConfigureThrowsOnASettingTheReceiverRejects) {
  EXPECT_THROW(receiver().configure("typo", {{"secrets", {secret_}}, {"fail_time", 1}}),
               std::runtime_error);
}

}  // namespace
}  // namespace irisx::testing
