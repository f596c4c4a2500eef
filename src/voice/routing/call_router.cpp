#include "voice/routing/call_router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "common/time.hpp"
#include "voice/numbers/number_store.hpp"
#include "voice/registrar/bindings.hpp"
#include "voice/registrar/credentials.hpp"
#include "voice/registrar/nat.hpp"
#include "voice/routing/diagnostics.hpp"
#include "voice/trunks/match.hpp"
#include "voice/trunks/plan.hpp"
#include "voice/trunks/syntax.hpp"

namespace irisx::voice {

namespace asio = boost::asio;

namespace {

// The user part of a SIP URI ("sip:+15551234567@host;…" → "+15551234567"); empty when none.
std::string user_of(const std::string& uri) {
  const auto colon = uri.find(':');
  const auto at = uri.find('@');
  if (colon == std::string::npos || at == std::string::npos || at < colon) return {};
  return uri.substr(colon + 1, at - colon - 1);
}

std::string host_of(const std::string& uri) {
  const auto at = uri.find('@');
  if (at == std::string::npos) return {};
  const auto end = uri.find_first_of(";>?", at);
  return uri.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
}

// Who is at the other end of a leg: the caller of an inbound leg, the callee of an outbound one.
std::string remote_party(const Call& call) {
  return user_of(call.outbound() ? call.request().to_uri : call.request().from_uri);
}

// Carriers differ on the '+': a DID may arrive as +15551234567 or 15551234567.
std::vector<std::string> did_spellings(const std::string& dialled) {
  if (dialled.empty()) return {};
  if (dialled.front() == '+') return {dialled};
  return {"+" + dialled, dialled};
}

asio::awaitable<std::optional<numbers::PhoneNumber>> find_number(store::Database& db,
                                                                 std::string dialled) {
  numbers::NumberStore store(db);
  for (const auto& spelling : did_spellings(dialled)) {
    auto found = co_await store.find_by_number(spelling);
    if (found) co_return found;
  }
  co_return std::nullopt;
}

asio::awaitable<std::vector<registrar::Binding>> find_contacts(store::Database& db,
                                                               std::string tenant_id,
                                                               std::string extension) {
  registrar::Bindings bindings(db);
  co_return co_await bindings.lookup(std::move(tenant_id), std::move(extension), now_ms());
}

// What a phone of `tenant_id` reaches by dialling `dialled`: an extension of its tenant with
// a SIP credential, else a DID of its tenant (`number` set: its status callback applies, as
// for a call from a carrier), else whatever number it is, through the trunks.
struct PhoneDestination {
  numbers::VoiceApplication application;
  std::optional<numbers::PhoneNumber> number;
};

asio::awaitable<PhoneDestination> phone_destination(store::Database& db, std::string tenant_id,
                                                    std::string dialled) {
  using Type = numbers::VoiceApplication::Type;
  if (numbers::is_extension(dialled)) {
    registrar::CredentialStore credentials(db);
    if (co_await credentials.find(tenant_id, dialled)) {
      co_return PhoneDestination{numbers::VoiceApplication{Type::extension, dialled}, {}};
    }
  }
  auto number = co_await find_number(db, dialled);
  // Another tenant's DID is a number like any other: out through the trunks.
  if (number && number->tenant_id == tenant_id) {
    PhoneDestination out{number->application, std::move(number)};
    co_return out;
  }
  co_return PhoneDestination{numbers::VoiceApplication{Type::dial, dialled}, {}};
}

}  // namespace

CallRouter::CallRouter(store::Database& db, asio::any_io_executor store_executor,
                       RoutingSettings settings)
    : db_(db),
      store_executor_(std::move(store_executor)),
      settings_(std::move(settings)),
      auth_(db, settings_.trunks,
            registrar::DigestCheck(settings_.nonce_secret, settings_.nonce_lifetime)) {}

Application CallRouter::route(const sip::InviteRequest& request) {
  if (settings_.diagnostics) {
    if (Application diagnostic = diagnostic_application(request.request_user)) return diagnostic;
  }
  auto self = shared_from_this();
  if (const trunks::Trunk* trunk = trunks::trunk_for_source(settings_.trunks, request.source_ip)) {
    return [self, name = trunk->name](std::shared_ptr<Call> call) {
      return self->from_trunk(std::move(call), name);
    };
  }
  return [self](std::shared_ptr<Call> call) { return self->authenticated(std::move(call)); };
}

asio::awaitable<void> CallRouter::authenticated(std::shared_ptr<Call> call) {
  InviteCaller caller;
  bool lookup_failed = false;  // no co_await inside a catch block (C++20)
  try {
    caller = co_await asio::co_spawn(store_executor_, auth_.identify(call->request()),
                                     asio::use_awaitable);
  } catch (const std::exception& e) {
    log::get("voice")->error("authenticating INVITE {} failed: {}", call->request().call_id,
                             e.what());
    lookup_failed = true;
  }
  if (lookup_failed) {
    co_await call->reject(503);
    co_return;
  }
  switch (caller.kind) {
    case InviteCaller::Kind::challenge:
      co_await call->challenge(std::move(caller.proxy_authenticate));
      co_return;
    case InviteCaller::Kind::forbidden:
      log::get("voice")->info("INVITE {} from {} ({}@{}) refused: digest did not verify",
                              call->request().call_id, call->request().source_ip,
                              call->request().from_user, call->request().from_host);
      co_await call->reject(403);
      co_return;
    case InviteCaller::Kind::trunk:
      co_await from_trunk(call, std::move(caller.trunk));
      co_return;
    case InviteCaller::Kind::phone:
      co_await from_phone(call, std::move(caller));
      co_return;
  }
}

asio::awaitable<void> CallRouter::from_phone(std::shared_ptr<Call> call, InviteCaller caller) {
  call->set_labels(caller.tenant_id, "", caller.extension);
  PhoneDestination destination;
  bool lookup_failed = false;
  try {
    destination = co_await asio::co_spawn(
        store_executor_, phone_destination(db_, caller.tenant_id, call->request().request_user),
        asio::use_awaitable);
  } catch (const std::exception& e) {
    log::get("voice")->error("routing {} for extension {} failed: {}", call->request().request_user,
                             caller.extension, e.what());
    lookup_failed = true;
  }
  if (lookup_failed) {
    co_await call->reject(503);
    co_return;
  }
  const numbers::VoiceApplication& application = destination.application;
  if (application.type == numbers::VoiceApplication::Type::dial &&
      !trunks::is_dialable(application.target)) {
    co_await call->reject(404);  // neither one of ours nor a number
    co_return;
  }
  if (destination.number) {
    call->set_number(destination.number->number, destination.number->status_callback.value_or(""));
  }
  co_await run_application(call, application);
}

asio::awaitable<void> CallRouter::from_trunk(std::shared_ptr<Call> call, std::string trunk) {
  std::optional<numbers::PhoneNumber> number;
  bool lookup_failed = false;  // no co_await inside a catch block (C++20)
  try {
    number = co_await asio::co_spawn(
        store_executor_, find_number(db_, call->request().request_user), asio::use_awaitable);
  } catch (const std::exception& e) {
    log::get("voice")->error("looking up DID {} failed: {}", call->request().request_user,
                             e.what());
    lookup_failed = true;
  }
  if (lookup_failed) {
    co_await call->reject(503);
    co_return;
  }
  if (!number) {
    co_await call->reject(404);
    co_return;
  }
  call->set_labels(number->tenant_id, trunk, "");
  call->set_number(number->number, number->status_callback.value_or(""));
  co_await run_application(call, number->application);
}

asio::awaitable<void> CallRouter::run_application(std::shared_ptr<Call> call,
                                                  numbers::VoiceApplication application) {
  using Type = numbers::VoiceApplication::Type;
  const std::chrono::seconds timeout(application.timeout_s);
  if (application.type == Type::diagnostic) {
    Application diagnostic = diagnostic_application(application.target);
    if (!diagnostic) {
      co_await call->reject(404);
      co_return;
    }
    co_await diagnostic(call);
  } else if (application.type == Type::extension) {
    DialPlan plan = co_await extension_plan(call, application.target);
    if (plan.empty()) {
      co_await call->reject(480);  // nothing registered: temporarily unavailable (§21.4.18)
      co_return;
    }
    co_await dial_and_report(call, std::move(plan), timeout);
  } else {
    DialPlan plan = trunk_plan(*call, application.target);
    if (plan.empty()) {
      co_await call->reject(503);
      co_return;
    }
    co_await dial_and_report(call, std::move(plan), timeout);
  }
}

asio::awaitable<void> CallRouter::dial_and_report(std::shared_ptr<Call> call, DialPlan plan,
                                                  std::chrono::seconds timeout) {
  DialOptions options;
  options.timeout = timeout;
  const DialResult result = co_await call->dial(std::move(plan), options);
  log::get("voice")->info("call {} dial: {} ({}){}", call->record().id, status_name(result.status),
                          result.sip_status,
                          result.answered_trunk.empty() ? "" : " via " + result.answered_trunk);
  if (call->active() && !call->answered()) co_await call->reject(caller_status_after(result));
  if (result.transfer) co_await follow_transfers(std::move(result), options);
  if (call->active()) co_await call->hangup();
}

asio::awaitable<void> CallRouter::follow_transfers(DialResult result, DialOptions options) {
  std::shared_ptr<Call> last;
  while (result.transfer) {
    Transfer transfer = std::move(*result.transfer);
    result.transfer.reset();
    last = transfer.transferee;
    auto [plan, failure] = co_await transfer_plan(transfer.transferee, transfer.target);
    log::get("voice")->info("call {} transferred by {} to {}: {}", transfer.transferee->record().id,
                            transfer.transferor->record().id, transfer.target,
                            plan.empty() ? std::to_string(failure) : "dialling");
    if (plan.empty()) {
      // The transferor hears why (its NOTIFY) and the two parties talk on (RFC 5589 §6.1).
      transfer.transferor->finish_transfer(failure);
      result.transfer = co_await transfer.transferee->talk(transfer.transferor);
      continue;
    }
    transfer.transferor->finish_transfer(200);
    result = co_await transfer.transferee->dial(std::move(plan), options);
  }
  if (last && last->active()) co_await last->hangup();
}

asio::awaitable<std::pair<DialPlan, int>> CallRouter::transfer_plan(
    std::shared_ptr<Call> transferee, std::string target) {
  const std::string user = user_of(target);
  const std::string tenant_id = transferee->record().tenant_id;
  if (user.empty() || tenant_id.empty()) co_return std::pair{DialPlan{}, 404};
  using Type = numbers::VoiceApplication::Type;
  numbers::VoiceApplication destination;
  bool lookup_failed = false;  // no co_await inside a catch block (C++20)
  try {
    PhoneDestination found = co_await asio::co_spawn(
        store_executor_, phone_destination(db_, tenant_id, user), asio::use_awaitable);
    destination = std::move(found.application);
  } catch (const std::exception& e) {
    log::get("voice")->error("looking up transfer target {} failed: {}", user, e.what());
    lookup_failed = true;
  }
  if (lookup_failed) co_return std::pair{DialPlan{}, 503};
  // The same destinations as a phone's own call; a DID's diagnostic is not a place to go.
  if (destination.type == Type::extension) {
    DialPlan plan = co_await extension_plan(transferee, destination.target);
    co_return std::pair{std::move(plan), 480};  // 480: nothing registered there
  }
  if (destination.type == Type::dial)
    co_return std::pair{trunk_plan(*transferee, destination.target), 404};
  co_return std::pair{DialPlan{}, 404};
}

asio::awaitable<DialPlan> CallRouter::extension_plan(std::shared_ptr<Call> call,
                                                     std::string extension) {
  const std::string tenant_id = call->record().tenant_id;
  std::vector<registrar::Binding> contacts;
  try {
    contacts = co_await asio::co_spawn(store_executor_, find_contacts(db_, tenant_id, extension),
                                       asio::use_awaitable);
  } catch (const std::exception& e) {
    log::get("voice")->error("looking up extension {} failed: {}", extension, e.what());
    co_return DialPlan{};
  }
  DialPlan plan;
  if (contacts.empty()) co_return plan;
  plan.emplace_back();
  const std::string caller = remote_party(*call);
  // From and To name us as the caller reached us, the way a PBX names its own domain.
  const std::string host =
      call->outbound() ? host_of(call->request().from_uri) : call->request().request_host;
  for (const auto& contact : contacts) {
    DialTarget target;
    target.extension = extension;
    target.invite.request_uri = contact.contact_uri;
    target.invite.next_hop = registrar::next_hop(contact);
    target.invite.to_uri = "sip:" + extension + "@" + host;
    target.invite.from_uri =
        "sip:" + (caller.empty() ? std::string("anonymous") : caller) + "@" + host;
    target.invite.from_display = call->request().from_display;
    plan.back().push_back(std::move(target));
  }
  co_return plan;
}

DialPlan CallRouter::trunk_plan(const Call& call, const std::string& number) const {
  DialPlan plan;
  const std::string caller = remote_party(call);
  for (auto& target : trunks::plan_outbound(settings_.trunks, number, caller)) {
    DialTarget leg;
    leg.trunk = target.trunk;
    leg.setup_timeout = target.setup_timeout;
    leg.invite.request_uri = target.request_uri;
    leg.invite.to_uri = target.to_uri;
    leg.invite.from_uri = target.from_uri;
    leg.invite.from_display = target.from_display;
    leg.invite.username = target.username;
    leg.invite.password = target.password;
    plan.push_back({std::move(leg)});
  }
  return plan;
}

}  // namespace irisx::voice
