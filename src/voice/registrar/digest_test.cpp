#include "voice/registrar/digest.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <string>

namespace irisx::voice::registrar {
namespace {

using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;

// MD5 straight from OpenSSL, so the SIP example below checks the library against the formula
// rather than against itself.
std::string md5(const std::string& s) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), out.data(), &n, EVP_md5(), nullptr);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 0xf];
  }
  return hex;
}

const char* kRfc2617Header =
    R"(Digest username="Mufasa", realm="testrealm@host.com", )"
    R"(nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, )"
    R"(nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", )"
    R"(opaque="5ccc069c403ebaf9f0171e9517f40e41")";

TEST(Digest, Rfc2617WorkedExampleVerifies) {
  auto c = parse_authorization(kRfc2617Header);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "Mufasa");
  EXPECT_EQ(c->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  const std::string h = ha1("Mufasa", "testrealm@host.com", "Circle Of Life", Algorithm::md5);
  EXPECT_EQ(h, "939e7578ed9e3c518a452acee763bce9");
  EXPECT_TRUE(verify(*c, "GET", h, Algorithm::md5));
}

TEST(Digest, WrongPasswordFails) {
  auto c = parse_authorization(kRfc2617Header);
  ASSERT_TRUE(c);
  const std::string h = ha1("Mufasa", "testrealm@host.com", "Circle of Life", Algorithm::md5);
  EXPECT_FALSE(verify(*c, "GET", h, Algorithm::md5));
}

TEST(Digest, WrongMethodOrAlgorithmFails) {
  auto c = parse_authorization(kRfc2617Header);
  ASSERT_TRUE(c);
  const std::string h = ha1("Mufasa", "testrealm@host.com", "Circle Of Life", Algorithm::md5);
  EXPECT_FALSE(verify(*c, "POST", h, Algorithm::md5));
  // No algorithm parameter means MD5, so it cannot pass as SHA-256.
  EXPECT_FALSE(verify(*c, "GET", h, Algorithm::sha256));
}

TEST(Digest, Rfc7616Sha256ExampleVerifies) {
  auto c = parse_authorization(
      R"(Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", )"
      R"(algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", )"
      R"(nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, )"
      R"(response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", )"
      R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")");
  ASSERT_TRUE(c);
  const std::string h = ha1("Mufasa", "http-auth@example.org", "Circle of Life", Algorithm::sha256);
  EXPECT_TRUE(verify(*c, "GET", h, Algorithm::sha256));
  EXPECT_FALSE(verify(*c, "GET", h, Algorithm::md5));
}

TEST(Digest, Rfc7616Md5ExampleVerifies) {
  auto c = parse_authorization(
      R"(Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", )"
      R"(algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, )"
      R"(cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, )"
      R"(response="8ca523f5e9506fed4657c9700eebdbec", )"
      R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")");
  ASSERT_TRUE(c);
  EXPECT_TRUE(verify(*c, "GET",
                     ha1("Mufasa", "http-auth@example.org", "Circle of Life", Algorithm::md5),
                     Algorithm::md5));
}

TEST(Digest, SipRegisterWithQopMatchesTheFormula) {
  const std::string user = "1001", realm = "acme.sip.example", pass = "s3cret";
  const std::string nonce = "abc123", uri = "sip:acme.sip.example", cnonce = "xyz", nc = "0000000a";
  const std::string h1 = md5(user + ":" + realm + ":" + pass);
  const std::string h2 = md5("REGISTER:" + uri);
  const std::string response = md5(h1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + h2);
  const std::string header = "Digest username=\"" + user + "\",realm=\"" + realm + "\",nonce=\"" +
                             nonce + "\",uri=\"" + uri + "\",response=\"" + response +
                             "\",algorithm=MD5,cnonce=\"" + cnonce + "\",qop=auth,nc=" + nc;
  auto c = parse_authorization(header);
  ASSERT_TRUE(c);
  EXPECT_EQ(ha1(user, realm, pass, Algorithm::md5), h1);
  EXPECT_TRUE(verify(*c, "REGISTER", h1, Algorithm::md5));
  EXPECT_FALSE(verify(*c, "INVITE", h1, Algorithm::md5));
}

TEST(Digest, SipRegisterWithoutQopUsesRfc2069Form) {
  const std::string h1 = md5("1001:acme:pw");
  const std::string h2 = md5("REGISTER:sip:acme");
  const std::string response = md5(h1 + ":n1:" + h2);
  auto c = parse_authorization(
      "Digest username=\"1001\", realm=\"acme\", nonce=\"n1\", "
      "uri=\"sip:acme\", response=\"" +
      response + "\"");
  ASSERT_TRUE(c);
  EXPECT_TRUE(verify(*c, "REGISTER", h1, Algorithm::md5));
}

TEST(Digest, UppercaseHexResponseIsAccepted) {
  std::string header = kRfc2617Header;
  header.replace(header.find("6629fae4"), 8, "6629FAE4");
  auto c = parse_authorization(header);
  ASSERT_TRUE(c);
  EXPECT_TRUE(verify(*c, "GET", "939e7578ed9e3c518a452acee763bce9", Algorithm::md5));
}

TEST(Digest, QopAuthWithoutCnonceOrAuthIntIsRejected) {
  auto c = parse_authorization(kRfc2617Header);
  ASSERT_TRUE(c);
  Credentials no_cnonce = *c;
  no_cnonce.cnonce.clear();
  EXPECT_FALSE(verify(no_cnonce, "GET", "939e7578ed9e3c518a452acee763bce9", Algorithm::md5));
  Credentials auth_int = *c;
  auth_int.qop = "auth-int";
  EXPECT_FALSE(verify(auth_int, "GET", "939e7578ed9e3c518a452acee763bce9", Algorithm::md5));
}

TEST(DigestParse, NamesAreCaseInsensitiveAnyOrderWithEscapesAndWhitespace) {
  auto c = parse_authorization(
      "  digest\tNC=00000001 ,  RESPONSE = \"r\" , Realm=\"a \\\"quoted\\\" realm\",\r\n"
      " Nonce=\"n\", URI=\"sip:x\", extra=\"ignored\", UserName=\"u\\\\v\",, qop=\"auth\"");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "u\\v");
  EXPECT_EQ(c->realm, "a \"quoted\" realm");
  EXPECT_EQ(c->nc, "00000001");
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->response, "r");
}

TEST(DigestParse, GarbageIsRejectedWithoutThrowing) {
  const char* bad[] = {
      "",
      "Digest",
      "Digest ",
      "Basic dXNlcjpwYXNz",
      "Digestusername=\"u\"",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\"",  // no response
      "Digest username=\"u, realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y",
      "Digest username=\"u\" realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"",
      "Digest username=, realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"",
      "Digest =\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"",
      "Digest username=\"u\", username=\"v\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"",
      "Digest username=\"u\\",
      "Digest username=\"a\nb\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"",
  };
  for (const char* h : bad) {
    EXPECT_NO_THROW({ EXPECT_FALSE(parse_authorization(h)) << h; });
  }
  std::string with_nul = "Digest username=\"u";
  with_nul += '\0';
  with_nul += "\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\"";
  EXPECT_FALSE(parse_authorization(with_nul));
}

TEST(DigestParse, OversizedInputIsRejected) {
  std::string base = "Digest realm=\"r\", nonce=\"n\", uri=\"x\", response=\"y\", username=\"";
  EXPECT_FALSE(parse_authorization(base + std::string(kMaxParameterSize + 1, 'a') + "\""));
  EXPECT_FALSE(parse_authorization(base + "u\"" + std::string(kMaxAuthorizationSize, ' ')));
  std::string many = base + "u\"";
  for (std::size_t i = 0; i < kMaxParameters; ++i) many += ", x" + std::to_string(i) + "=1";
  EXPECT_FALSE(parse_authorization(many));
}

TEST(DigestChallenge, NamesRealmNonceAlgorithmQopAndStale) {
  EXPECT_EQ(challenge("acme", "N", Algorithm::md5, false),
            R"(Digest realm="acme", nonce="N", algorithm=MD5, qop="auth")");
  EXPECT_EQ(challenge("a\"b", "N", Algorithm::sha256, true),
            R"(Digest realm="a\"b", nonce="N", algorithm=SHA-256, qop="auth", stale=true)");
}

const time_point kT0 = time_point(std::chrono::milliseconds(1'700'000'000'000));

TEST(Nonce, FreshNonceIsValidAndUnique) {
  NonceIssuer issuer("0123456789abcdef-secret", seconds(300));
  std::string a = issuer.issue(kT0), b = issuer.issue(kT0);
  EXPECT_NE(a, b);
  EXPECT_EQ(issuer.check(a, kT0), NonceIssuer::Check::valid);
  EXPECT_EQ(issuer.check(a, kT0 + seconds(299)), NonceIssuer::Check::valid);
}

TEST(Nonce, ExpiredNonceIsStale) {
  NonceIssuer issuer("0123456789abcdef-secret", seconds(300));
  EXPECT_EQ(issuer.check(issuer.issue(kT0), kT0 + seconds(301)), NonceIssuer::Check::stale);
}

TEST(Nonce, TamperedForeignOrMalformedNonceIsInvalid) {
  NonceIssuer issuer("0123456789abcdef-secret", seconds(300));
  NonceIssuer other("another-secret-of-16+", seconds(300));
  std::string n = issuer.issue(kT0);
  std::string tampered = n;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';  // inside the timestamp
  EXPECT_EQ(issuer.check(tampered, kT0), NonceIssuer::Check::invalid);
  EXPECT_EQ(issuer.check(other.issue(kT0), kT0), NonceIssuer::Check::invalid);
  EXPECT_EQ(issuer.check("", kT0), NonceIssuer::Check::invalid);
  EXPECT_EQ(issuer.check(std::string(75, '*'), kT0), NonceIssuer::Check::invalid);
  EXPECT_EQ(issuer.check(n.substr(1), kT0), NonceIssuer::Check::invalid);
}

TEST(Nonce, WeakConfigurationIsRefused) {
  EXPECT_THROW(NonceIssuer("short", seconds(300)), std::invalid_argument);
  EXPECT_THROW(NonceIssuer("0123456789abcdef", seconds(0)), std::invalid_argument);
}

}  // namespace
}  // namespace irisx::voice::registrar
