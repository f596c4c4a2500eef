#pragma once
// Builds the voice engine from configuration (the `voice` role).
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "common/config.hpp"
#include "store/database.hpp"
#include "voice/engine.hpp"

namespace irisx::app {

// `registrar` answers REGISTER when voice.registrar is on. Calls are routed with the store
// (numbers, extensions' bindings and credentials), which lives on `store_executor`; the caller
// owns both. `nonce_secret` is the registrar's, so INVITE challenges use the same nonces.
// Throws ConfigError for a bad voice setting or trunks file.
std::unique_ptr<voice::VoiceEngine> start_voice(const Config& config, voice::RecordSink records,
                                                voice::RegisterHandler registrar,
                                                store::Database& db,
                                                boost::asio::any_io_executor store_executor,
                                                std::string nonce_secret);

}  // namespace irisx::app
