#include "voice/numbers/application.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace irisx::voice::numbers {
namespace {

using Type = VoiceApplication::Type;

// The diagnostic applications of src/voice/routing/diagnostics.hpp.
constexpr std::array<std::string_view, 5> kDiagnostics = {"echo", "prompt", "ivr-test", "ring",
                                                          "milliwatt"};
constexpr int kMinTimeout = 5;
constexpr int kMaxTimeout = 600;

const char* type_name(Type type) {
  switch (type) {
    case Type::extension:
      return "extension";
    case Type::dial:
      return "dial";
    case Type::diagnostic:
      return "diagnostic";
  }
  return "extension";
}

// The key that names each type's target.
const char* target_key(Type type) {
  switch (type) {
    case Type::extension:
      return "extension";
    case Type::dial:
      return "number";
    case Type::diagnostic:
      return "name";
  }
  return "extension";
}

}  // namespace

bool is_e164(std::string_view number) {
  // ITU-T E.164 §6: at most 15 digits, country code first; '+' is how SIP and carriers write it.
  if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
    return false;
  }
  return std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_extension(std::string_view extension) {
  if (extension.size() < 2 || extension.size() > 32) return false;
  // Spelled out rather than std::isalnum, which follows the locale.
  return std::all_of(extension.begin(), extension.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::variant<VoiceApplication, std::string> parse_voice_application(std::string_view json) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::string("must be a JSON object");

  const auto type_it = doc.find("type");
  if (type_it == doc.end()) return std::string("type is required");
  const std::string type_text = type_it->is_string() ? type_it->get<std::string>() : "";
  VoiceApplication app;
  if (type_text == "extension") {
    app.type = Type::extension;
  } else if (type_text == "dial") {
    app.type = Type::dial;
  } else if (type_text == "diagnostic") {
    app.type = Type::diagnostic;
  } else {
    return std::string("type must be one of extension, dial, diagnostic");
  }

  const std::string key = target_key(app.type);
  for (const auto& [name, value] : doc.items()) {
    if (name != "type" && name != key && !(app.type == Type::dial && name == "timeout_s")) {
      return name + " is not a known field for type " + type_text;
    }
  }
  const auto target = doc.find(key);
  if (target == doc.end()) return key + " is required";
  if (!target->is_string()) return key + " must be a string";
  app.target = target->get<std::string>();

  switch (app.type) {
    case Type::extension:
      if (!is_extension(app.target)) return key + " must be 2 to 32 of 0-9 a-z A-Z _ . -";
      break;
    case Type::dial:
      if (!is_e164(app.target)) return key + " must be an E.164 number such as +15551234567";
      break;
    case Type::diagnostic:
      if (std::find(kDiagnostics.begin(), kDiagnostics.end(), app.target) == kDiagnostics.end()) {
        return key + " must be one of echo, prompt, ivr-test, ring, milliwatt";
      }
      break;
  }

  if (const auto timeout = doc.find("timeout_s"); timeout != doc.end()) {
    // 30.0 or "30" is refused rather than coerced: the API takes integers as integers. An
    // unsigned value past INT64_MAX wraps negative here and is refused with the rest.
    const std::int64_t value =
        timeout->is_number_integer() ? timeout->get<std::int64_t>() : kMinTimeout - 1;
    if (value < kMinTimeout || value > kMaxTimeout) {
      return std::string("timeout_s must be an integer from 5 to 600");
    }
    app.timeout_s = static_cast<int>(value);
  }
  return app;
}

std::string to_json(const VoiceApplication& app) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["type"] = type_name(app.type);
  out[target_key(app.type)] = app.target;
  if (app.type == Type::dial) out["timeout_s"] = app.timeout_s;
  return out.dump();
}

}  // namespace irisx::voice::numbers
