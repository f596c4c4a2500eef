#pragma once
// Bus over NATS JetStream. publish() writes to the store's bus_outbox inside the caller's
// transaction; run() relays committed outbox rows to JetStream, which de-duplicates them by
// Nats-Msg-Id, so any number of relays (processes) may work on the same outbox.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "bus/bus.hpp"
#include "store/database.hpp"

namespace irisx::bus {

struct NatsBusOptions {
  std::string url;  // nats://127.0.0.1:4222
  std::chrono::milliseconds relay_poll_interval{20};
  std::chrono::hours retention{24 * 7};
};

// Connects, then creates or updates the streams CALLS, SMS, EMAILS and WEBHOOKS (idempotent).
// Throws std::runtime_error when the server cannot be reached.
std::unique_ptr<Bus> make_nats_bus(store::Database& db, boost::asio::any_io_executor executor,
                                   NatsBusOptions options);

}  // namespace irisx::bus
