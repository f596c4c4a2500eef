#include "webhooks/signing.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace irisx::webhooks {
namespace {

// The example published with the Standard Webhooks reference libraries.
TEST(Sign, MatchesTheStandardWebhooksReferenceVector) {
  EXPECT_EQ(sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(Sign, RefusesSecretsNotOfOurShape) {
  EXPECT_THROW(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "{}"), std::invalid_argument);
  EXPECT_THROW(sign("whsec_", "id", 1, "{}"), std::invalid_argument);
  EXPECT_THROW(sign("whsec_***", "id", 1, "{}"), std::invalid_argument);
}

TEST(SignatureHeader, SendsOneSignaturePerSecretDuringRotation) {
  const std::string a = new_secret();
  const std::string b = new_secret();
  EXPECT_NE(a, b);
  EXPECT_EQ(signature_header({a, b}, "EV1", 1700000000, "{}"),
            sign(a, "EV1", 1700000000, "{}") + " " + sign(b, "EV1", 1700000000, "{}"));
  EXPECT_EQ(signature_header({a}, "EV1", 1700000000, "{}"), sign(a, "EV1", 1700000000, "{}"));
}

TEST(NewSecret, CarriesThirtyTwoRandomBytes) {
  const std::string s = new_secret();
  ASSERT_TRUE(s.starts_with("whsec_"));
  EXPECT_EQ(s.size(), 6 + 44u);
}

}  // namespace
}  // namespace irisx::webhooks
