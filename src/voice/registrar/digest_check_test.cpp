#include "voice/registrar/digest_check.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace irisx::voice::registrar {
namespace {

using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;

const time_point kNow = time_point{} + seconds(1'700'000'000);
const std::string kSecret = "0123456789abcdef0123456789abcdef";

// The nonce inside a challenge value (`nonce="…"`).
std::string nonce_of(const std::string& challenge) {
  const auto start = challenge.find("nonce=\"") + 7;
  return challenge.substr(start, challenge.find('"', start) - start);
}

std::string answer(const std::string& nonce, const std::string& algorithm = "MD5") {
  return "Digest username=\"1001\", realm=\"example.test\", nonce=\"" + nonce +
         "\", uri=\"sip:+15551234567@example.test\", response=\"00\", algorithm=" + algorithm;
}

TEST(DigestCheck, NoHeaderAsksForAChallenge) {
  const DigestCheck check(kSecret, seconds(300));
  EXPECT_EQ(check.screen("", kNow).outcome, DigestCheck::Outcome::absent);
}

TEST(DigestCheck, ItsOwnFreshNonceIsUsableWithTheNamedAlgorithm) {
  const DigestCheck check(kSecret, seconds(300));
  const std::string nonce = nonce_of(check.challenge("example.test", false, kNow));
  const auto md5 = check.screen(answer(nonce), kNow + seconds(10));
  EXPECT_EQ(md5.outcome, DigestCheck::Outcome::usable);
  EXPECT_EQ(md5.algorithm, Algorithm::md5);
  EXPECT_EQ(md5.credentials.username, "1001");
  const auto sha = check.screen(answer(nonce, "SHA-256"), kNow);
  EXPECT_EQ(sha.algorithm, Algorithm::sha256);
}

TEST(DigestCheck, ChallengeIsMd5WithQopAuthAndStaleOnlyWhenAsked) {
  const DigestCheck check(kSecret, seconds(300));
  const std::string fresh = check.challenge("example.test", false, kNow);
  EXPECT_EQ(fresh.rfind("Digest realm=\"example.test\", nonce=\"", 0), 0u) << fresh;
  EXPECT_NE(fresh.find("algorithm=MD5, qop=\"auth\""), std::string::npos) << fresh;
  EXPECT_EQ(fresh.find("stale"), std::string::npos);
  EXPECT_NE(check.challenge("example.test", true, kNow).find(", stale=true"), std::string::npos);
}

TEST(DigestCheck, ExpiredNonceIsStale) {
  const DigestCheck check(kSecret, seconds(300));
  const std::string nonce = nonce_of(check.challenge("example.test", false, kNow));
  EXPECT_EQ(check.screen(answer(nonce), kNow + seconds(301)).outcome, DigestCheck::Outcome::stale);
}

TEST(DigestCheck, AnotherSecretsNonceOrAnUnofferedAlgorithmIsChallengedAgain) {
  const DigestCheck check(kSecret, seconds(300));
  const DigestCheck other("another secret, not ours at all", seconds(300));
  const std::string foreign = nonce_of(other.challenge("example.test", false, kNow));
  EXPECT_EQ(check.screen(answer(foreign), kNow).outcome, DigestCheck::Outcome::renew);
  EXPECT_EQ(check.screen(answer("abc"), kNow).outcome, DigestCheck::Outcome::renew);
  const std::string nonce = nonce_of(check.challenge("example.test", false, kNow));
  EXPECT_EQ(check.screen(answer(nonce, "MD5-sess"), kNow).outcome, DigestCheck::Outcome::renew);
}

TEST(DigestCheck, GarbageIsMalformedWithoutThrowing) {
  const DigestCheck check(kSecret, seconds(300));
  for (const char* garbage : {"Basic dXNlcjpwYXNz", "Digest", "Digest username=", "\x01\x02",
                              "Digest username=\"1001\", realm=\"x\"", "Digest ,,,,=,"}) {
    EXPECT_EQ(check.screen(garbage, kNow).outcome, DigestCheck::Outcome::malformed) << garbage;
  }
}

}  // namespace
}  // namespace irisx::voice::registrar
