#include "identity/password.hpp"

#include <argon2.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

#include "common/crypto.hpp"

namespace irisx::identity {

namespace asio = boost::asio;

struct PasswordHasher::Impl {
  Argon2Params params;
  asio::thread_pool pool;
  std::string dummy;
  Impl(Argon2Params p, int threads) : params(p), pool(static_cast<std::size_t>(threads)) {}
};

PasswordHasher::PasswordHasher(Argon2Params params, int threads)
    : impl_(std::make_unique<Impl>(params, threads < 1 ? 1 : threads)) {
  impl_->dummy = hash_now(crypto::random_hex(16));
}

PasswordHasher::~PasswordHasher() {
  impl_->pool.join();
}

std::string PasswordHasher::hash_now(std::string password) const {
  const Argon2Params& p = impl_->params;
  const std::string salt = crypto::random_bytes(16);
  constexpr std::size_t kHashLen = 32;
  std::size_t encoded_len =
      argon2_encodedlen(static_cast<uint32_t>(p.iterations), static_cast<uint32_t>(p.memory_kib),
                        static_cast<uint32_t>(p.parallelism), static_cast<uint32_t>(salt.size()),
                        kHashLen, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(
      static_cast<uint32_t>(p.iterations), static_cast<uint32_t>(p.memory_kib),
      static_cast<uint32_t>(p.parallelism), password.data(), password.size(), salt.data(),
      salt.size(), kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

namespace {

// Plain coroutine functions with by-value parameters: their state lives in the coroutine frame
// while the work runs on the pool (a capturing lambda's state would not, CP.51).
asio::awaitable<std::string> hash_task(const PasswordHasher* hasher, std::string password) {
  co_return hasher->hash_now(password);
}

asio::awaitable<bool> verify_task(std::string encoded, std::string password) {
  co_return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace

asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
  co_return co_await asio::co_spawn(impl_->pool, hash_task(this, std::move(password)),
                                    asio::use_awaitable);
}

asio::awaitable<bool> PasswordHasher::verify(std::string encoded, std::string password) {
  co_return co_await asio::co_spawn(
      impl_->pool, verify_task(std::move(encoded), std::move(password)), asio::use_awaitable);
}

asio::awaitable<void> PasswordHasher::verify_dummy(std::string password) {
  co_await verify(impl_->dummy, std::move(password));
}

std::string password_problem(std::string password) {
  if (password.size() < 10) return "must be at least 10 characters";
  if (password.size() > 256) return "must be at most 256 characters";
  return "";
}

}  // namespace irisx::identity
