#include "common/crypto.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::crypto {
namespace {

bool is_lower_hex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// FIPS 180-2 appendix B examples.
TEST(Sha256, MatchesNistVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, RawDigestIs32Bytes) {
  EXPECT_EQ(sha256("abc").size(), 32u);
  EXPECT_EQ(hex(sha256("abc")), sha256_hex("abc"));
}

TEST(Hex, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(hex(std::string("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(hex(""), "");
}

// RFC 4231 §4.2, §4.3 and §4.7.
TEST(HmacSha256, MatchesRfc4231TestCases) {
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

constexpr const char* kHmacOfNothing =
    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";

TEST(HmacSha256, EmptyKeyAndMessageStillProduceADigest) {
  EXPECT_EQ(hex(hmac_sha256("", "")), kHmacOfNothing);
  EXPECT_EQ(hex(hmac_sha256(std::string_view{}, "")), kHmacOfNothing);
  EXPECT_EQ(hex(hmac_sha256("", std::string_view{})), kHmacOfNothing);
}

TEST(HmacSha256, NullEmptyViewsStillProduceADigest) {
  EXPECT_EQ(hex(hmac_sha256(std::string_view{}, std::string_view{})), kHmacOfNothing);
}

// RFC 4648 §10.
TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsLengthsZeroToFive) {
  for (std::size_t n = 0; n <= 5; ++n) {
    std::string data = random_bytes(n);
    auto back = base64_decode(base64(data));
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, data) << n;
  }
}

TEST(Base64, DecodeRejectsLengthsNotAMultipleOfFourAndGarbage) {
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Zm9vY"));
  EXPECT_FALSE(base64_decode("!!!!"));
  EXPECT_FALSE(base64_decode("Zm9v!!!!"));
}

TEST(Base64, DecodeRejectsMisplacedPadding) {
  EXPECT_FALSE(base64_decode("QQ==QUJD"));
  EXPECT_FALSE(base64_decode("QQ=A"));
  EXPECT_FALSE(base64_decode("===="));
  EXPECT_FALSE(base64_decode("A==="));
}

TEST(Base64Url, MatchesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("fooba"), "Zm9vYmE");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  // Standard base64 of fb ff bf is "+/+/".
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64(bytes), "+/+/");
  EXPECT_EQ(base64url(bytes), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
}

TEST(Base64Url, RoundTripsLengthsZeroToFive) {
  for (std::size_t n = 0; n <= 5; ++n) {
    std::string data = random_bytes(n);
    std::string encoded = base64url(data);
    EXPECT_EQ(encoded.find('='), std::string::npos) << n;
    auto back = base64url_decode(encoded);
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, data) << n;
  }
  // Fixed bytes that exercise '-' and '_' at every length.
  const std::string fixed("\xfb\xff\xbf\xfb\xff", 5);
  for (std::size_t n = 0; n <= 5; ++n) {
    EXPECT_EQ(base64url_decode(base64url(fixed.substr(0, n))), fixed.substr(0, n)) << n;
  }
}

TEST(Base64Url, DecodeRejectsStandardAlphabetPaddingAndGarbage) {
  EXPECT_FALSE(base64url_decode("ab+/"));
  EXPECT_FALSE(base64url_decode("ab+d"));
  EXPECT_FALSE(base64url_decode("ab/d"));
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("!!!!"));
  EXPECT_FALSE(base64url_decode("Zm 9v"));
  EXPECT_FALSE(base64url_decode("Zm9v\n"));
}

TEST(Base64Url, DecodeRejectsImpossibleLength) {
  EXPECT_FALSE(base64url_decode("A"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));
}

TEST(Sealing, OpensOnlyWithTheKeyAndUntampered) {
  std::string key(32, 'k');
  std::string sealed = seal(key, "secret response");
  EXPECT_EQ(open_sealed(key, sealed).value_or(""), "secret response");
  EXPECT_FALSE(open_sealed(std::string(32, 'x'), sealed));
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(open_sealed(key, tampered));
}

TEST(Sealing, UsesAFreshNonceEachTime) {
  std::string key(32, 'k');
  EXPECT_NE(seal(key, "same"), seal(key, "same"));
  EXPECT_EQ(open_sealed(key, seal(key, "")).value_or("x"), "");
}

TEST(Sealing, RejectsWrongKeySizeAndShortInput) {
  EXPECT_THROW(seal(std::string(16, 'k'), "x"), std::invalid_argument);
  EXPECT_FALSE(open_sealed(std::string(16, 'k'), seal(std::string(32, 'k'), "x")));
  EXPECT_FALSE(open_sealed(std::string(32, 'k'), base64(std::string(27, 'a'))));
  EXPECT_FALSE(open_sealed(std::string(32, 'k'), "not base64"));
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "Secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("secret", ""));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(RandomHex, HasTwoLowerCaseDigitsPerByte) {
  for (std::size_t n : {0u, 1u, 12u, 16u, 32u}) {
    std::string h = random_hex(n);
    EXPECT_EQ(h.size(), 2 * n);
    EXPECT_TRUE(is_lower_hex(h)) << h;
  }
}

TEST(RandomHex, TwoCallsDiffer) {
  EXPECT_NE(random_hex(16), random_hex(16));
  EXPECT_EQ(random_bytes(7).size(), 7u);
}

}  // namespace
}  // namespace irisx::crypto

namespace irisx {
namespace {

TEST(PublicId, NewIdIsPrefixAnd32LowerHex) {
  std::string id = new_id("TN");
  ASSERT_EQ(id.size(), 34u);
  EXPECT_EQ(id.substr(0, 2), "TN");
  for (char c : id.substr(2)) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  EXPECT_TRUE(is_id(id, "TN"));
}

TEST(PublicId, NewIdsDiffer) {
  EXPECT_NE(new_id("US"), new_id("US"));
}

TEST(PublicId, IdsStartWithTheirCreationTimeSoTheySortByAge) {
  const std::int64_t before = now_ms();
  const std::string id = new_id("AK");
  const std::int64_t after = now_ms();
  const auto stamped = static_cast<std::int64_t>(std::stoull(id.substr(2, 12), nullptr, 16));
  EXPECT_LE(before, stamped);
  EXPECT_LE(stamped, after);
}

TEST(PublicId, IsIdAcceptsOnlyThePrefixAnd32LowerHex) {
  const std::string hex32 = "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(is_id("TN" + hex32, "TN"));
  EXPECT_TRUE(is_id(hex32, ""));
  EXPECT_FALSE(is_id("US" + hex32, "TN"));
  EXPECT_FALSE(is_id("tn" + hex32, "TN"));
  EXPECT_FALSE(is_id("TN" + hex32.substr(1), "TN"));
  EXPECT_FALSE(is_id("TN" + hex32 + "0", "TN"));
  EXPECT_FALSE(is_id("TN0123456789ABCDEF0123456789abcdef", "TN"));
  EXPECT_FALSE(is_id("TN" + std::string(32, 'g'), "TN"));
  EXPECT_FALSE(is_id("TN", "TN"));
  EXPECT_FALSE(is_id("", "TN"));
  EXPECT_FALSE(is_id(hex32, "TN"));
}

}  // namespace
}  // namespace irisx
