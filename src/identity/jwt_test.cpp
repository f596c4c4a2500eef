#include "identity/jwt.hpp"

#include <gtest/gtest.h>

#include "common/crypto.hpp"

namespace irisx::identity {
namespace {

const std::string kKey(32, 'k');

AccessClaims claims() {
  return {"USa", "TNb", "SSc", 1000, 2000};
}

TEST(Jwt, SignedTokenVerifiesWithItsClaims) {
  VerifiedToken v = verify_access_token(sign_access_token(claims(), kKey), kKey, 1500);
  ASSERT_EQ(v.status, TokenStatus::ok);
  EXPECT_EQ(v.claims.user_id, "USa");
  EXPECT_EQ(v.claims.tenant_id, "TNb");
  EXPECT_EQ(v.claims.family_id, "SSc");
  EXPECT_EQ(v.claims.expires_at_s, 2000);
}

TEST(Jwt, TokenAtOrPastExpiryIsExpired) {
  std::string token = sign_access_token(claims(), kKey);
  EXPECT_EQ(verify_access_token(token, kKey, 2000).status, TokenStatus::expired);
}

TEST(Jwt, OtherKeyOrTamperedPayloadIsInvalid) {
  std::string token = sign_access_token(claims(), kKey);
  EXPECT_EQ(verify_access_token(token, std::string(32, 'x'), 1500).status, TokenStatus::invalid);
  std::size_t dot = token.find('.');
  std::string forged =
      token.substr(0, dot + 1) +
      crypto::base64url(
          R"({"sub":"USz","tid":"TNb","fam":"SSc","iat":1000,"exp":2000,"typ":"access"})") +
      token.substr(token.rfind('.'));
  EXPECT_EQ(verify_access_token(forged, kKey, 1500).status, TokenStatus::invalid);
}

TEST(Jwt, AlgNoneIsRejectedEvenWithoutSignature) {
  std::string header = crypto::base64url(R"({"alg":"none","typ":"JWT"})");
  std::string payload = crypto::base64url(
      R"({"sub":"USa","tid":"TNb","fam":"SSc","iat":1000,"exp":2000,"typ":"access"})");
  EXPECT_EQ(verify_access_token(header + "." + payload + ".", kKey, 1500).status,
            TokenStatus::invalid);
}

TEST(Jwt, GarbageIsInvalid) {
  for (std::string bad : {"", ".", "..", "a.b.c", "a.b", "a.b.c.d", "eyJ.eyJ.x"}) {
    EXPECT_EQ(verify_access_token(bad, kKey, 1500).status, TokenStatus::invalid) << bad;
  }
}

}  // namespace
}  // namespace irisx::identity
