#pragma once
// The audio codecs the voice engine speaks on the wire. Shared by SDP negotiation (which picks
// one) and media (which encodes it), so neither depends on the other.
#include <optional>
#include <string_view>

namespace irisx::voice {

enum class Codec { pcmu, pcma };

// RFC 3551 §6: the static payload types of G.711.
constexpr int static_payload_type(Codec codec) {
  return codec == Codec::pcmu ? 0 : 8;
}

// The encoding name used in a=rtpmap (RFC 3551 §4.5.14).
constexpr std::string_view encoding_name(Codec codec) {
  return codec == Codec::pcmu ? "PCMU" : "PCMA";
}

constexpr int kSampleRate = 8000;   // G.711 and telephone-event clock rate
constexpr int kFrameMs = 20;        // packetization time we send
constexpr int kFrameSamples = 160;  // samples per 20 ms frame at 8 kHz

}  // namespace irisx::voice
