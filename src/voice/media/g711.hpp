#pragma once
// ITU-T G.711 companding: µ-law (PCMU) and A-law (PCMA), 8 kHz, one byte per sample. Decoding
// and PCMU↔PCMA transcoding are 256-entry table look-ups; encoding is a few shifts per sample,
// so a 20 ms frame costs well under a microsecond and nothing is allocated.
#include <cstdint>
#include <span>

#include "voice/codec.hpp"

namespace irisx::voice::media {

std::uint8_t linear_to_ulaw(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);
std::uint8_t linear_to_alaw(std::int16_t sample);
std::int16_t alaw_to_linear(std::uint8_t code);

// Each converts min(input.size(), output.size()) samples; a caller sizes `out` to match.
void encode(Codec codec, std::span<const std::int16_t> pcm, std::span<std::uint8_t> out);
void decode(Codec codec, std::span<const std::uint8_t> in, std::span<std::int16_t> pcm);
// PCMU↔PCMA for bridging two legs that negotiated different laws: one table look-up per
// byte, equal to decode-then-encode. from == to copies.
void transcode(Codec from, Codec to, std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

}  // namespace irisx::voice::media
