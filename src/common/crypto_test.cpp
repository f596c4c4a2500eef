#include "common/crypto.hpp"

#include <gtest/gtest.h>

#include "common/id.hpp"

namespace irisx::crypto {
namespace {

TEST(Crypto, Sha256MatchesNistVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlRoundTripsAllShortLengths) {
  for (std::size_t n = 0; n < 6; ++n) {
    std::string data = random_bytes(n);
    auto back = base64url_decode(base64url(data));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
  }
  EXPECT_FALSE(base64url_decode("ab+/"));
}

TEST(Crypto, SealedDataOpensOnlyWithTheKey) {
  std::string key(32, 'k');
  std::string sealed = seal(key, "secret response");
  EXPECT_EQ(open_sealed(key, sealed).value_or(""), "secret response");
  EXPECT_FALSE(open_sealed(std::string(32, 'x'), sealed));
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(open_sealed(key, tampered));
}

TEST(Crypto, IdsHavePrefixAnd32Hex) {
  std::string id = new_id("TN");
  EXPECT_TRUE(is_id(id, "TN"));
  EXPECT_FALSE(is_id(id, "US"));
  EXPECT_FALSE(is_id("TN" + std::string(32, 'G'), "TN"));
  EXPECT_NE(new_id("TN"), id);
}

}  // namespace
}  // namespace irisx::crypto
