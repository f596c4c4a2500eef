#pragma once
// Durable queues and event streams. Two implementations: EmbeddedBus (queue tables in the
// store; the default) and NatsBus (NATS JetStream, when IRISX_NATS_URL is set).
//
// Delivery is at least once. A message is published inside the caller's store transaction, so
// it exists exactly when the state change it describes was committed (transactional outbox).
// Consumers are durable and named; each message reaches every consumer whose filter matches
// its subject, and within one consumer only one worker holds a delivery at a time: it must
// ack, retry or dead-letter it before `ack_wait` runs out, or it is handed out again.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace irisx::bus {

struct Message {
  std::string id;       // de-duplication key: publishing the same id twice delivers once
  std::string subject;  // e.g. "events.webhooks.user_created"
  std::string payload;  // JSON text
};

struct ConsumerSpec {
  std::string name;         // durable consumer name, e.g. "webhook-deliveries"
  std::string stream;       // CALLS, SMS, EMAILS or WEBHOOKS (NATS stream the consumer lives on)
  std::string filter;       // subject filter with NATS wildcards: "events.webhooks.*"
  int max_deliveries = -1;  // -1: unlimited; past it the message goes to the dead letters
  std::chrono::milliseconds ack_wait{60000};
};

struct Delivery {
  std::string consumer;
  Message message;
  int attempt = 1;     // 1 on first delivery, counting every hand-out (incl. crashed workers)
  std::string handle;  // implementation's token for ack/retry (row lease or reply subject)
};

class Bus {
 public:
  virtual ~Bus() = default;

  // Creates or updates the consumer (idempotent). Call for every consumer before publishing.
  virtual boost::asio::awaitable<void> declare(ConsumerSpec spec) = 0;

  // Publishes as part of the caller's transaction: rolled back with it, visible once committed.
  virtual boost::asio::awaitable<void> publish_all(store::Session& tx,
                                                   std::vector<Message> messages) = 0;
  boost::asio::awaitable<void> publish(store::Session& tx, Message message) {
    std::vector<Message> one;
    one.push_back(std::move(message));
    co_await publish_all(tx, std::move(one));
  }

  // Up to `max` deliveries for `consumer`, waiting at most `wait` while there are none.
  virtual boost::asio::awaitable<std::vector<Delivery>> fetch(std::string consumer, int max,
                                                              std::chrono::milliseconds wait) = 0;

  virtual boost::asio::awaitable<void> ack(Delivery delivery) = 0;
  // Hands the message out again after `delay`.
  virtual boost::asio::awaitable<void> retry(Delivery delivery,
                                             std::chrono::milliseconds delay) = 0;
  // Settles inside the caller's store transaction where the queue lives in the store (the
  // embedded bus), so a job and the state change it produced commit together; returns false
  // where it cannot (NATS), and the caller then settles with ack/retry after its commit.
  virtual boost::asio::awaitable<bool> ack_all_in(store::Session& tx,
                                                  std::vector<Delivery> deliveries) = 0;
  boost::asio::awaitable<bool> ack_in(store::Session& tx, Delivery delivery) {
    std::vector<Delivery> one;
    one.push_back(std::move(delivery));
    co_return co_await ack_all_in(tx, std::move(one));
  }
  virtual boost::asio::awaitable<bool> retry_in(store::Session& tx, Delivery delivery,
                                                std::chrono::milliseconds delay) = 0;
  // Gives up on the message: it is kept in the store's bus_dead_letters table with the reason.
  virtual boost::asio::awaitable<void> dead_letter(Delivery delivery, std::string reason) = 0;

  // Background work the implementation needs while serving (NATS: the outbox relay).
  // Returns when stop() is called.
  virtual boost::asio::awaitable<void> run() = 0;
  virtual void stop() = 0;
};

// Deletes dead letters (either bus) created before `before_ms`, at most `limit` of them;
// returns how many went.
inline boost::asio::awaitable<std::int64_t> purge_dead_letters(store::Database& db,
                                                               std::int64_t before_ms, int limit) {
  return store::purge_created_before(db, "bus_dead_letters", before_ms, limit);
}

// True when `subject` matches a NATS-style filter ("*" one token, ">" the rest).
bool subject_matches(std::string_view filter, std::string_view subject);

}  // namespace irisx::bus
