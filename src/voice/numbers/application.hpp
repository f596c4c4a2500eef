#pragma once
// What answers a call to one of a tenant's numbers, until call control (webhooks, TwiML)
// exists: ring a registered extension, dial out through the trunks, or a diagnostic
// application. Stored and exchanged as one of three JSON shapes:
//   {"type":"extension","extension":"1001"}
//   {"type":"dial","number":"+15551234567","timeout_s":30}   (timeout_s optional, 5..600)
//   {"type":"diagnostic","name":"echo"}   (echo, prompt, ivr-test, ring, milliwatt)
#include <string>
#include <string_view>
#include <variant>

namespace irisx::voice::numbers {

struct VoiceApplication {
  enum class Type { extension, dial, diagnostic } type = Type::extension;
  std::string target;  // the extension, the E.164 number or the diagnostic's name
  int timeout_s = 30;  // dial only: how long the far end may ring

  bool operator==(const VoiceApplication&) const = default;
};

// Parses and validates one of the shapes above (unknown keys are refused, so a typo never
// falls back to a default). On failure: a message naming the offending key, for a 422.
std::variant<VoiceApplication, std::string> parse_voice_application(std::string_view json);

// The canonical JSON shape (dial always carries timeout_s); parse_voice_application reads it
// back unchanged.
std::string to_json(const VoiceApplication& application);

// E.164 as carriers send it: '+', a non-zero country code digit, at most 15 digits in all.
bool is_e164(std::string_view number);

// A tenant extension, which is also its SIP digest username: 2 to 32 of [0-9a-zA-Z_.-].
bool is_extension(std::string_view extension);

}  // namespace irisx::voice::numbers
