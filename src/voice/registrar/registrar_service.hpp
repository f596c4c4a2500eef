#pragma once
// Answers REGISTER requests (RFC 3261 §10.3) for agent extensions: digest challenge and
// verification against the stored HA1 (§22.4), then the location service. The realm is the
// To domain; which tenant an extension belongs to comes from its stored credential.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "store/database.hpp"
#include "voice/registrar/bindings.hpp"
#include "voice/registrar/credentials.hpp"
#include "voice/registrar/digest_check.hpp"
#include "voice/sip/sip_stack.hpp"

namespace irisx::voice::registrar {

struct RegistrarSettings {
  std::string nonce_secret;  // shared by every voice node, so any of them can check a nonce
  std::chrono::seconds nonce_lifetime{300};
  Limits limits;
};

class RegistrarService {
 public:
  RegistrarService(store::Database& db, RegistrarSettings settings);
  boost::asio::awaitable<sip::RegisterResponse> handle(sip::RegisterRequest request);

 private:
  sip::RegisterResponse challenge(const std::string& realm, bool stale) const;

  Bindings bindings_;
  CredentialStore credentials_;
  DigestCheck digest_;
  Limits limits_;
};

}  // namespace irisx::voice::registrar
