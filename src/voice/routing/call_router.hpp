#pragma once
// What answers an inbound INVITE. In order:
//   1. a diagnostic number (echo, prompt …) when voice.diagnostics is on, from anywhere;
//   2. from a carrier trunk (its source address lies in the trunk's inbound networks): the
//      dialled DID → the tenant's phone number → that number's voice application (ring an
//      extension's registered contacts, call out through the trunks, or a diagnostic);
//   3. anything else must authenticate with digest (invite_auth.hpp; 407, then 403 for a wrong
//      answer): a trunk by its inbound credentials → its DID as in 2; a registered phone by its
//      extension's → an extension of its tenant that has a SIP credential (its registered
//      contacts ring), a DID of its tenant (that number's application), or any other number
//      out through the trunks with the extension as the caller.
// A bridged party that sends REFER has the other party dialled to the Refer-To target (an
// extension of the tenant, or a number out through the trunks).
// Store lookups run on the store's executor; calls stay on their media thread.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "voice/engine.hpp"
#include "voice/numbers/application.hpp"
#include "voice/routing/invite_auth.hpp"
#include "voice/trunks/trunk.hpp"

namespace irisx::voice {

struct RoutingSettings {
  bool diagnostics = false;
  std::vector<trunks::Trunk> trunks;
  // The registrar's nonce secret and lifetime: one challenge format, any node checks it.
  std::string nonce_secret;
  std::chrono::seconds nonce_lifetime{300};
};

class CallRouter : public std::enable_shared_from_this<CallRouter> {
 public:
  CallRouter(store::Database& db, boost::asio::any_io_executor store_executor,
             RoutingSettings settings);

  // The Router the engine calls (on a media thread) for each new INVITE.
  Application route(const sip::InviteRequest& request);

 private:
  boost::asio::awaitable<void> authenticated(std::shared_ptr<Call> call);
  boost::asio::awaitable<void> from_trunk(std::shared_ptr<Call> call, std::string trunk);
  boost::asio::awaitable<void> from_phone(std::shared_ptr<Call> call, InviteCaller caller);
  boost::asio::awaitable<void> run_application(std::shared_ptr<Call> call,
                                               numbers::VoiceApplication application);
  boost::asio::awaitable<void> dial_and_report(std::shared_ptr<Call> call, DialPlan plan,
                                               std::chrono::seconds timeout);
  // Carries out blind transfers (a bridged phone's REFER) until the call is over.
  boost::asio::awaitable<void> follow_transfers(DialResult result, DialOptions options);
  // Where a REFER's target leads for the transferee's tenant; the failure status otherwise.
  boost::asio::awaitable<std::pair<DialPlan, int>> transfer_plan(std::shared_ptr<Call> transferee,
                                                                 std::string target);
  boost::asio::awaitable<DialPlan> extension_plan(std::shared_ptr<Call> call,
                                                  std::string extension);
  DialPlan trunk_plan(const Call& call, const std::string& number) const;

  store::Database& db_;
  boost::asio::any_io_executor store_executor_;
  RoutingSettings settings_;
  InviteAuthenticator auth_;
};

}  // namespace irisx::voice
