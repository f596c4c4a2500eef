#include "voice/routing/invite_auth.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irisx::voice {
namespace {

using registrar::Algorithm;

constexpr const char* kRealm = "203.0.113.7";
constexpr const char* kUri = "sip:+15550100@192.0.2.1";
constexpr const char* kNonce = "nonce-from-our-challenge";

std::vector<trunks::Trunk> trunks_with_inbound_digest() {
  trunks::Trunk open;
  open.name = "no-digest";
  trunks::Trunk carrier;
  carrier.name = "carrier";
  carrier.inbound_username = "carrier-in";
  carrier.inbound_password = "carrier-secret-42";
  return {open, carrier};
}

// What a carrier sends back for `password`, qop=auth.
registrar::Credentials answer(const std::string& username, const std::string& password,
                              Algorithm algorithm = Algorithm::md5) {
  registrar::Credentials c;
  c.username = username;
  c.realm = kRealm;
  c.nonce = kNonce;
  c.uri = kUri;
  c.qop = "auth";
  c.nc = "00000001";
  c.cnonce = "0a4f113b";
  c.algorithm = std::string(registrar::algorithm_name(algorithm));
  c.response =
      registrar::expected_response(registrar::ha1(username, kRealm, password, algorithm), "INVITE",
                                   kUri, kNonce, c.nc, c.cnonce, c.qop, algorithm);
  return c;
}

TEST(TrunkForDigest, TheTrunksOwnPasswordVerifiesInEitherAlgorithm) {
  const auto trunks = trunks_with_inbound_digest();
  for (const Algorithm algorithm : {Algorithm::md5, Algorithm::sha256}) {
    const TrunkDigest found = trunk_for_digest(
        trunks, answer("carrier-in", "carrier-secret-42", algorithm), algorithm, "INVITE");
    ASSERT_NE(found.trunk, nullptr);
    EXPECT_EQ(found.trunk->name, "carrier");
    EXPECT_TRUE(found.verified);
  }
}

TEST(TrunkForDigest, AWrongPasswordNamesTheTrunkButDoesNotVerify) {
  const auto trunks = trunks_with_inbound_digest();
  const TrunkDigest found =
      trunk_for_digest(trunks, answer("carrier-in", "guess"), Algorithm::md5, "INVITE");
  ASSERT_NE(found.trunk, nullptr);
  EXPECT_FALSE(found.verified);
}

TEST(TrunkForDigest, AResponseForAnotherMethodDoesNotVerify) {
  const auto trunks = trunks_with_inbound_digest();
  const TrunkDigest found = trunk_for_digest(trunks, answer("carrier-in", "carrier-secret-42"),
                                             Algorithm::md5, "REGISTER");
  EXPECT_FALSE(found.verified);
}

TEST(TrunkForDigest, AnyOtherUsernameIsLeftToThePhones) {
  const auto trunks = trunks_with_inbound_digest();
  EXPECT_EQ(
      trunk_for_digest(trunks, answer("1001", "carrier-secret-42"), Algorithm::md5, "INVITE").trunk,
      nullptr);
  // A trunk without inbound credentials matches no username, not even an empty one.
  EXPECT_EQ(trunk_for_digest(trunks, answer("", ""), Algorithm::md5, "INVITE").trunk, nullptr);
}

}  // namespace
}  // namespace irisx::voice
