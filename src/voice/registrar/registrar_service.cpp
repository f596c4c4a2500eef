#include "voice/registrar/registrar_service.hpp"

#include "common/time.hpp"

namespace irisx::voice::registrar {

namespace {

sip::RegisterResponse response(int status) {
  sip::RegisterResponse out;
  out.status = status;
  return out;
}

// RFC 3261 §10.3 step 8: the 200 lists every current binding with its remaining time.
std::string contact_list(const std::vector<Binding>& bindings, std::int64_t now_ms) {
  std::string out;
  for (const auto& b : bindings) {
    if (!out.empty()) out += ", ";
    const std::int64_t left = std::max<std::int64_t>(0, (b.expires_at_ms - now_ms + 999) / 1000);
    out += "<" + b.contact_uri + ">;expires=" + std::to_string(left);
  }
  return out;
}

}  // namespace

RegistrarService::RegistrarService(store::Database& db, RegistrarSettings settings)
    : bindings_(db),
      credentials_(db),
      digest_(std::move(settings.nonce_secret), settings.nonce_lifetime),
      limits_(settings.limits) {}

sip::RegisterResponse RegistrarService::challenge(const std::string& realm, bool stale) const {
  auto out = response(401);
  out.www_authenticate = digest_.challenge(realm, stale, std::chrono::system_clock::now());
  return out;
}

boost::asio::awaitable<sip::RegisterResponse> RegistrarService::handle(
    sip::RegisterRequest request) {
  if (request.user.empty() || request.domain.empty()) co_return response(400);
  const auto screened = digest_.screen(request.authorization, std::chrono::system_clock::now());
  using Check = DigestCheck::Outcome;
  if (screened.outcome == Check::malformed) co_return response(400);
  if (screened.outcome != Check::usable) {
    co_return challenge(request.domain, screened.outcome == Check::stale);
  }
  const Credentials& credentials = screened.credentials;
  // §22.4: the credentials must be for this user in this realm.
  if (credentials.username != request.user || credentials.realm != request.domain) {
    co_return response(403);
  }
  const auto stored = co_await credentials_.find_by_realm(request.domain, request.user);
  if (!stored ||
      !verify(credentials, "REGISTER", stored->ha1(screened.algorithm), screened.algorithm)) {
    co_return response(403);
  }
  RegisterRequest update;
  update.tenant_id = stored->tenant_id;
  update.extension = request.user;
  update.call_id = request.call_id;
  update.cseq = request.cseq;
  update.wildcard = request.wildcard;
  for (auto& [uri, expires] : request.contacts) {
    update.contacts.push_back(ContactUpdate{uri, expires, {}});
  }
  update.expires = request.expires;
  update.source = request.source;
  update.transport = request.transport;
  update.user_agent = request.user_agent;
  update.now_ms = now_ms();
  update.limits = limits_;
  const std::int64_t now = update.now_ms;
  const UpdateResult result = co_await bindings_.apply(std::move(update));
  switch (result.outcome) {
    case Outcome::ok: {
      auto out = response(200);
      out.contacts = contact_list(result.bindings, now);
      co_return out;
    }
    case Outcome::interval_too_brief: {
      auto out = response(423);
      out.min_expires = result.min_expires_s;
      co_return out;
    }
    case Outcome::invalid_request:
      co_return response(400);
    case Outcome::out_of_order:
      co_return response(500);
    case Outcome::too_many_contacts:
      co_return response(403);
  }
  co_return response(500);
}

}  // namespace irisx::voice::registrar
