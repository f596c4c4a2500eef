#pragma once
// Argon2id password hashing on a small worker pool, so that a ~25 ms hash never stalls an
// I/O thread. Encoded hashes carry their own parameters ($argon2id$v=19$m=…,t=…,p=…$…).
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace irisx::identity {

struct Argon2Params {
  int memory_kib = 19456;
  int iterations = 2;
  int parallelism = 1;
};

class PasswordHasher {
 public:
  PasswordHasher(Argon2Params params, int threads);
  ~PasswordHasher();
  boost::asio::awaitable<std::string> hash(std::string password);
  // Constant-time verify. An unknown account still costs one verify (against a dummy hash), so
  // timing does not reveal which emails exist.
  boost::asio::awaitable<bool> verify(std::string encoded, std::string password);
  boost::asio::awaitable<void> verify_dummy(std::string password);

  std::string hash_now(std::string password) const;  // synchronous, for the CLI

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Password policy for users and operators: 10 to 256 characters. Returns an error message or "".
std::string password_problem(std::string password);

}  // namespace irisx::identity
