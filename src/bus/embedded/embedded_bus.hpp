#pragma once
// The default bus: queue tables in the relational store (migration 2, bus_messages and
// bus_dead_letters). Publishing inserts one row per matching consumer on the caller's session,
// so a message exists exactly when the caller's transaction commits. Workers claim rows with a
// lease that expires after the consumer's ack_wait. On PostgreSQL several processes share a
// consumer through FOR UPDATE SKIP LOCKED; on SQLite the store's single writer serialises claims.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

#include "bus/bus.hpp"
#include "store/database.hpp"

namespace irisx::bus {

struct EmbeddedBusOptions {
  // How often an idle fetch looks for due rows: the latency of an idle consumer.
  std::chrono::milliseconds poll_interval{20};
};

// `db` must outlive the bus. Timers (polling, run) live on `executor`.
std::unique_ptr<Bus> make_embedded_bus(store::Database& db, boost::asio::any_io_executor executor,
                                       EmbeddedBusOptions options = {});

}  // namespace irisx::bus
