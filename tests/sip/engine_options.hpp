#pragma once
// Options for a VoiceEngine the test runs in process (driving Calls through the C++
// interface): loopback SIP on a free port, this process's RTP ports, scratch dirs under `dir`.
#include <string>

#include "voice/engine.hpp"

namespace irisx::testing {

voice::EngineOptions loopback_engine_options(const std::string& dir);

}  // namespace irisx::testing
