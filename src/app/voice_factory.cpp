#include "app/voice_factory.hpp"

#include <filesystem>
#include <thread>
#include <tuple>

#include "voice/media/port_pool.hpp"
#include "voice/routing/call_router.hpp"
#include "voice/trunks/trunk.hpp"

namespace irisx::app {

namespace {

voice::sip::SipOptions sip_options(const Config& config) {
  voice::sip::SipOptions options;
  std::tie(options.host, options.port) = split_host_port(config.sip_listen, "voice.sip_listen");
  options.max_calls = static_cast<std::size_t>(config.voice_max_calls);
  options.user_agent = std::string("IRISX/") + IRISX_VERSION;
  return options;
}

}  // namespace

std::unique_ptr<voice::VoiceEngine> start_voice(const Config& config, voice::RecordSink records,
                                                voice::RegisterHandler registrar,
                                                store::Database& db,
                                                boost::asio::any_io_executor store_executor,
                                                std::string nonce_secret) {
  voice::EngineOptions options;
  options.sip = sip_options(config);
  options.media_address = config.media_address;
  const auto range = voice::media::PortPool::parse_range(config.rtp_ports);
  if (!range)
    throw ConfigError("voice.rtp_ports must be LO-HI within 1024-65535: " + config.rtp_ports);
  options.rtp_port_min = range->first;
  options.rtp_port_max = range->second;
  const std::filesystem::path data(config.data_dir);
  options.recordings_dir =
      config.recordings_dir.empty() ? (data / "recordings").string() : config.recordings_dir;
  options.speech_cache_dir = (data / "speech-cache").string();
  options.media_threads = config.voice_media_threads > 0
                              ? static_cast<std::size_t>(config.voice_media_threads)
                              : std::max(1u, std::thread::hardware_concurrency());
  if (config.voice_registrar) options.registrar = std::move(registrar);
  voice::RoutingSettings routing;
  routing.diagnostics = config.voice_diagnostics;
  routing.nonce_secret = std::move(nonce_secret);
  if (!config.voice_trunks_file.empty()) {
    try {
      routing.trunks = voice::trunks::load_trunks(config.voice_trunks_file);
    } catch (const std::runtime_error& e) {
      throw ConfigError(std::string("voice.trunks_file: ") + e.what());
    }
  }
  auto call_router =
      std::make_shared<voice::CallRouter>(db, std::move(store_executor), std::move(routing));
  voice::Router router = [call_router](const voice::sip::InviteRequest& request) {
    return call_router->route(request);
  };
  return std::make_unique<voice::VoiceEngine>(std::move(options), std::move(router),
                                              std::move(records));
}

}  // namespace irisx::app
