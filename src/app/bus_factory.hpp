#pragma once
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include <memory>

#include "bus/bus.hpp"
#include "common/config.hpp"
#include "store/database.hpp"

namespace irisx::app {

// nats.url set → NATS JetStream (with the store's outbox); otherwise the store-backed queue.
std::unique_ptr<bus::Bus> open_bus(const Config& config, store::Database& db,
                                   boost::asio::any_io_executor executor);

}  // namespace irisx::app
