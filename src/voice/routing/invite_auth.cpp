#include "voice/routing/invite_auth.hpp"

#include <chrono>

#include "voice/registrar/credentials.hpp"

namespace irisx::voice {

namespace {

InviteCaller forbidden() {
  return InviteCaller{};
}

}  // namespace

TrunkDigest trunk_for_digest(const std::vector<trunks::Trunk>& trunks,
                             const registrar::Credentials& credentials,
                             registrar::Algorithm algorithm, std::string_view method) {
  TrunkDigest out;
  for (const auto& trunk : trunks) {
    if (trunk.inbound_username.empty() || trunk.inbound_username != credentials.username) continue;
    out.trunk = &trunk;
    // The trunk keeps its password, not an HA1, so HA1 is made for the realm answered: the
    // caller already checked that realm is the one we challenged with.
    const std::string ha1 = registrar::ha1(trunk.inbound_username, credentials.realm,
                                           trunk.inbound_password, algorithm);
    out.verified = registrar::verify(credentials, method, ha1, algorithm);
    return out;
  }
  return out;
}

InviteAuthenticator::InviteAuthenticator(store::Database& db, std::vector<trunks::Trunk> trunks,
                                         registrar::DigestCheck digest)
    : db_(db), trunks_(std::move(trunks)), digest_(std::move(digest)) {}

InviteCaller InviteAuthenticator::challenge(const std::string& realm, bool stale) const {
  InviteCaller out;
  out.kind = InviteCaller::Kind::challenge;
  out.proxy_authenticate = digest_.challenge(realm, stale, std::chrono::system_clock::now());
  return out;
}

boost::asio::awaitable<InviteCaller> InviteAuthenticator::identify(
    sip::InviteRequest request) const {
  const std::string& realm = request.from_host;
  if (realm.empty()) co_return forbidden();
  using Outcome = registrar::DigestCheck::Outcome;
  const auto screened =
      digest_.screen(request.proxy_authorization, std::chrono::system_clock::now());
  switch (screened.outcome) {
    case Outcome::absent:
    case Outcome::renew:
      co_return challenge(realm, false);
    case Outcome::stale:
      co_return challenge(realm, true);
    case Outcome::malformed:
      co_return forbidden();
    case Outcome::usable:
      break;
  }
  const registrar::Credentials& credentials = screened.credentials;
  // §22.4: an answer for a realm we did not challenge with proves nothing here.
  if (credentials.realm != realm) co_return forbidden();
  const TrunkDigest trunk = trunk_for_digest(trunks_, credentials, screened.algorithm, "INVITE");
  if (trunk.trunk != nullptr) {
    if (!trunk.verified) co_return forbidden();
    InviteCaller out;
    out.kind = InviteCaller::Kind::trunk;
    out.trunk = trunk.trunk->name;
    co_return out;
  }
  // A phone calls as its extension: it may not authenticate as one and call as another.
  if (credentials.username != request.from_user) co_return forbidden();
  registrar::CredentialStore store(db_);
  const auto stored = co_await store.find_by_realm(realm, credentials.username);
  if (!stored || !registrar::verify(credentials, "INVITE", stored->ha1(screened.algorithm),
                                    screened.algorithm)) {
    co_return forbidden();
  }
  InviteCaller out;
  out.kind = InviteCaller::Kind::phone;
  out.tenant_id = stored->tenant_id;
  out.extension = stored->extension;
  co_return out;
}

}  // namespace irisx::voice
