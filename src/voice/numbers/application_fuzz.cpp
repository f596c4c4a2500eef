// libFuzzer target for what a phone number's voice_application reaches from an API body:
// any input must parse or be refused, never crash, and what parses must read back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "voice/numbers/application.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = irisx::voice::numbers::parse_voice_application(input);
  if (const auto* app = std::get_if<irisx::voice::numbers::VoiceApplication>(&parsed)) {
    const auto again =
        irisx::voice::numbers::parse_voice_application(irisx::voice::numbers::to_json(*app));
    const auto* same = std::get_if<irisx::voice::numbers::VoiceApplication>(&again);
    if (same == nullptr || !(*same == *app)) std::abort();
  }
  (void)irisx::voice::numbers::is_e164(input);
  (void)irisx::voice::numbers::is_extension(input);
  return 0;
}
