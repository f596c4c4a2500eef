#pragma once
// Who places an INVITE that does not come from a trunk's inbound networks: digest proxy
// authentication (RFC 3261 §22.3). No Proxy-Authorization: 407 with a challenge whose realm is
// the From host (a phone's SIP domain, which is its tenant's realm). An answer is checked in
// this order: a trunk whose inbound_username is the digest username (its password, the realm
// answered), else the extension's stored HA1 (CredentialStore::find_by_realm), where the
// username must be the From user. A wrong answer is 403, not another challenge, so a phone
// with a bad password does not loop; an expired nonce is 407 with stale=true.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "voice/registrar/digest_check.hpp"
#include "voice/sip/sip_stack.hpp"
#include "voice/trunks/trunk.hpp"

namespace irisx::voice {

struct InviteCaller {
  enum class Kind { challenge, forbidden, phone, trunk };
  Kind kind = Kind::forbidden;
  std::string proxy_authenticate;  // challenge: the Proxy-Authenticate value
  std::string tenant_id;           // phone: the credential's tenant
  std::string extension;           // phone: the digest username, which is the From user
  std::string trunk;               // trunk: its name
};

// How a digest answer stands against the trunks' inbound credentials. Pure.
struct TrunkDigest {
  const trunks::Trunk* trunk = nullptr;  // the trunk owning the username; nullptr: none does
  bool verified = false;                 // its password gives this response (constant time)
};
TrunkDigest trunk_for_digest(const std::vector<trunks::Trunk>& trunks,
                             const registrar::Credentials& credentials,
                             registrar::Algorithm algorithm, std::string_view method);

class InviteAuthenticator {
 public:
  InviteAuthenticator(store::Database& db, std::vector<trunks::Trunk> trunks,
                      registrar::DigestCheck digest);

  // Runs where the store lives; throws what the store throws.
  boost::asio::awaitable<InviteCaller> identify(sip::InviteRequest request) const;

 private:
  InviteCaller challenge(const std::string& realm, bool stale) const;

  store::Database& db_;
  std::vector<trunks::Trunk> trunks_;
  registrar::DigestCheck digest_;
};

}  // namespace irisx::voice
