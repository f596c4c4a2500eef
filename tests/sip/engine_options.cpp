#include "sip/engine_options.hpp"

#include "support/sipp.hpp"

namespace irisx::testing {

voice::EngineOptions loopback_engine_options(const std::string& dir) {
  voice::EngineOptions options;
  options.sip.host = "127.0.0.1";
  options.sip.port = 0;
  const auto [rtp_min, rtp_max] = engine_rtp_ports();
  options.rtp_port_min = static_cast<std::uint16_t>(rtp_min);
  options.rtp_port_max = static_cast<std::uint16_t>(rtp_max);
  options.recordings_dir = dir + "/recordings";
  options.speech_cache_dir = dir + "/speech";
  return options;
}

}  // namespace irisx::testing
