#include "app/bus_factory.hpp"

#include "bus/embedded/embedded_bus.hpp"
#include "bus/nats/nats_bus.hpp"

namespace irisx::app {

std::unique_ptr<bus::Bus> open_bus(const Config& config, store::Database& db,
                                   boost::asio::any_io_executor executor) {
  const std::chrono::milliseconds poll(config.bus_poll_interval_ms);
  if (config.nats_url.empty()) {
    return bus::make_embedded_bus(db, std::move(executor), bus::EmbeddedBusOptions{poll});
  }
  bus::NatsBusOptions options;
  options.url = config.nats_url;
  options.relay_poll_interval = poll;
  return bus::make_nats_bus(db, std::move(executor), std::move(options));
}

}  // namespace irisx::app
