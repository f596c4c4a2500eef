#pragma once
// What happens when the voice engine hands over an ended leg's record: the record is saved and,
// for a call that came in on a tenant's phone number, call.completed is published (to the
// webhooks subscribed to it and the CALLS stream) and delivered to the number's status callback
// — all in the record's transaction, so none of it is lost between the store and the queue.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include "events/events.hpp"
#include "store/database.hpp"
#include "voice/calls/call_record.hpp"
#include "webhooks/callbacks.hpp"

namespace irisx::app {

class EndedCalls {
 public:
  EndedCalls(store::Database& db, events::Publisher& publisher,
             webhooks::CallbackService& callbacks)
      : db_(db), publisher_(publisher), callbacks_(callbacks) {}

  boost::asio::awaitable<void> save(voice::CallRecord record);

 private:
  store::Database& db_;
  events::Publisher& publisher_;
  webhooks::CallbackService& callbacks_;
};

}  // namespace irisx::app
