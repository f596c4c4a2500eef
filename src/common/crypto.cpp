#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

namespace irisx::crypto {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("CSPRNG failure");
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  return hex(random_bytes(bytes));
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

namespace {

// OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up in the provider store on
// every call, which costs more than hashing a token; fetch it once and reuse a context per
// thread.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw std::runtime_error("SHA-256 unavailable");
  return md;
}

class Sha256 {
 public:
  Sha256() {
    static thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    ctx_ = ctx.get();
    if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr) != 1) fail();
  }
  Sha256& update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) fail();
    return *this;
  }
  std::string final() {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    if (EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out.data()), nullptr) != 1) {
      fail();
    }
    return out;
  }

 private:
  [[noreturn]] static void fail() { throw std::runtime_error("SHA-256 failed"); }
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::string sha256(std::string_view data) {
  return Sha256().update(data).final();
}

std::string sha256_hex(std::string_view data) {
  return hex(sha256(data));
}

// RFC 2104 over the cached SHA-256 (see sha256_md).
std::string hmac_sha256(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;
  std::string block = key.size() > kBlock ? sha256(key) : std::string(key);
  block.resize(kBlock, '\0');
  std::string inner_pad = block;
  std::string outer_pad = std::move(block);
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(inner_pad[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(outer_pad[i] ^ 0x5c);
  }
  const std::string inner = Sha256().update(inner_pad).update(data).final();
  return Sha256().update(outer_pad).update(inner).final();
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url(std::string_view bytes) {
  std::string out = base64(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

namespace {

// Value of one character in the given alphabet, or -1.
int sextet(char c, char plus, char slash) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == plus) return 62;
  if (c == slash) return 63;
  return -1;
}

// Strict RFC 4648 decoding of unpadded text: any character outside the alphabet, and a final
// group of one character (which cannot encode a byte), are rejected.
std::optional<std::string> decode_unpadded(std::string_view text, char plus, char slash) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = sextet(c, plus, slash);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  if (pad > 0 && body.size() % 4 + pad != 4) return std::nullopt;
  return decode_unpadded(body, '+', '/');
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_unpadded(text, '-', '_');
}

std::string seal(std::string_view key32, std::string_view plaintext) {
  if (key32.size() != 32) throw std::invalid_argument("seal needs a 32-byte key");
  std::string nonce = random_bytes(12);
  std::string out = nonce;
  out.resize(12 + plaintext.size() + 16);
  auto* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, bytes_of(key32), bytes_of(nonce)) == 1 &&
      EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data() + 12), &len,
                        bytes_of(plaintext), static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data() + 12 + len), &len) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + 12 + plaintext.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("AES-GCM encryption failed");
  return base64(out);
}

std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed) {
  auto raw = base64_decode(sealed);
  if (key32.size() != 32 || !raw || raw->size() < 28) return std::nullopt;
  const std::size_t n = raw->size() - 28;
  std::string out(n, '\0');
  std::string tag = raw->substr(12 + n);
  auto* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, bytes_of(key32), bytes_of(*raw)) == 1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                        bytes_of(std::string_view(*raw).substr(12, n)), static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data() + len), &len) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace irisx::crypto
