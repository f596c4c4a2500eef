#pragma once
// Status callbacks (Twilio's StatusCallback): a resource's own URL that hears about that
// resource, delivered by the same signed, retried pipeline as webhook endpoints. Each tenant has
// one hidden endpoint of kind "callbacks" whose secret signs every callback; each callback
// delivery carries its own URL. That endpoint is never listed, never matches subscriptions and
// is never disabled: a failing callback URL fails only its own delivery.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/principal.hpp"
#include "store/database.hpp"
#include "webhooks/deliveries.hpp"

namespace irisx::webhooks {

struct CallbackSecret {
  std::string webhook_id;  // the callbacks endpoint (WH…): its delivery log is the callbacks'
  std::string secret;      // whsec_…, shown once
  std::optional<std::int64_t> previous_secret_expires_at;
};

nlohmann::json to_json(const CallbackSecret& secret);

class CallbackService {
 public:
  CallbackService(store::Database& db, DeliveryQueue& queue, std::string data_key)
      : db_(db), queue_(queue), data_key_(std::move(data_key)) {}

  // Creates the tenant's callback secret, or rotates it: the old one keeps signing for 24 h.
  boost::asio::awaitable<CallbackSecret> rotate_secret(identity::Principal actor,
                                                       identity::AuditContext audit);

  // In the event's transaction: one delivery of `event` to `url`. A tenant that never asked for
  // a secret gets one made now (it rotates to learn it).
  boost::asio::awaitable<Delivery> enqueue(store::Session& tx, const events::Event& event,
                                           std::string url);

 private:
  store::Database& db_;
  DeliveryQueue& queue_;
  std::string data_key_;
};

}  // namespace irisx::webhooks
