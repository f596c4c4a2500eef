#include "voice/numbers/application.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::numbers {
namespace {

using Type = VoiceApplication::Type;

VoiceApplication parsed(std::string_view json) {
  auto result = parse_voice_application(json);
  if (auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << json << ": " << *error;
    return {};
  }
  return std::get<VoiceApplication>(result);
}

std::string error_of(std::string_view json) {
  auto result = parse_voice_application(json);
  if (auto* error = std::get_if<std::string>(&result)) return *error;
  ADD_FAILURE() << json << " was accepted";
  return "";
}

TEST(VoiceApplication, ExtensionNamesTheExtensionToRing) {
  auto app = parsed(R"({"type":"extension","extension":"1001"})");
  EXPECT_EQ(app.type, Type::extension);
  EXPECT_EQ(app.target, "1001");
}

TEST(VoiceApplication, DialDefaultsTheTimeoutToThirtySeconds) {
  auto app = parsed(R"({"type":"dial","number":"+15551234567"})");
  EXPECT_EQ(app.type, Type::dial);
  EXPECT_EQ(app.target, "+15551234567");
  EXPECT_EQ(app.timeout_s, 30);
  EXPECT_EQ(parsed(R"({"type":"dial","number":"+15551234567","timeout_s":5})").timeout_s, 5);
  EXPECT_EQ(parsed(R"({"type":"dial","number":"+15551234567","timeout_s":600})").timeout_s, 600);
}

TEST(VoiceApplication, DiagnosticAcceptsEachBuiltInName) {
  for (const char* name : {"echo", "prompt", "ivr-test", "ring", "milliwatt"}) {
    auto app = parsed(std::string(R"({"type":"diagnostic","name":")") + name + "\"}");
    EXPECT_EQ(app.type, Type::diagnostic);
    EXPECT_EQ(app.target, name);
  }
}

TEST(VoiceApplication, CanonicalJsonReadsBackUnchanged) {
  for (const char* json : {R"({"extension":"ops.desk_1","type":"extension"})",
                           R"({"number":"+442071234567","timeout_s":45,"type":"dial"})",
                           R"({"name":"ivr-test","type":"diagnostic"})"}) {
    auto app = parsed(json);
    EXPECT_EQ(to_json(app), json);
    EXPECT_EQ(parsed(to_json(app)), app);
  }
  // The default timeout is written out, so a stored dial never depends on today's default.
  EXPECT_EQ(to_json(parsed(R"({"type":"dial","number":"+15551234567"})")),
            R"({"number":"+15551234567","timeout_s":30,"type":"dial"})");
}

TEST(VoiceApplication, NotAnObjectIsRefused) {
  for (const char* json : {"", "{", "[]", "\"echo\"", "null", "42"}) {
    EXPECT_EQ(error_of(json), "must be a JSON object") << json;
  }
}

TEST(VoiceApplication, MissingOrUnknownTypeIsRefused) {
  EXPECT_EQ(error_of(R"({"extension":"1001"})"), "type is required");
  EXPECT_EQ(error_of(R"({"type":"webhook","url":"https://x"})"),
            "type must be one of extension, dial, diagnostic");
  EXPECT_EQ(error_of(R"({"type":7})"), "type must be one of extension, dial, diagnostic");
  EXPECT_EQ(error_of(R"({"type":"Extension","extension":"1001"})"),
            "type must be one of extension, dial, diagnostic");
}

TEST(VoiceApplication, KeysOfAnotherTypeAreRefusedNotIgnored) {
  EXPECT_EQ(error_of(R"({"type":"extension","extension":"1001","timeout_s":30})"),
            "timeout_s is not a known field for type extension");
  EXPECT_EQ(error_of(R"({"type":"dial","extension":"1001"})"),
            "extension is not a known field for type dial");
  EXPECT_EQ(error_of(R"({"type":"diagnostic","name":"echo","nmae":"x"})"),
            "nmae is not a known field for type diagnostic");
}

TEST(VoiceApplication, TargetMustBePresentAndAString) {
  EXPECT_EQ(error_of(R"({"type":"extension"})"), "extension is required");
  EXPECT_EQ(error_of(R"({"type":"extension","extension":1001})"), "extension must be a string");
  EXPECT_EQ(error_of(R"({"type":"dial"})"), "number is required");
  EXPECT_EQ(error_of(R"({"type":"dial","number":null})"), "number must be a string");
  EXPECT_EQ(error_of(R"({"type":"diagnostic"})"), "name is required");
}

TEST(VoiceApplication, ExtensionMustBeTwoToThirtyTwoSafeCharacters) {
  for (const char* bad : {"1", "", "10 01", "1001@example.com", "sip:1001", "ext/1",
                          "123456789012345678901234567890123"}) {
    EXPECT_EQ(error_of(std::string(R"({"type":"extension","extension":")") + bad + "\"}"),
              "extension must be 2 to 32 of 0-9 a-z A-Z _ . -")
        << bad;
  }
  EXPECT_TRUE(is_extension("12345678901234567890123456789012"));
  EXPECT_TRUE(is_extension("Sales-Desk_2.a"));
}

TEST(VoiceApplication, DialNumberMustBeE164) {
  for (const char* bad : {"15551234567", "+0555123", "+1 555 123 4567", "+1-555-1234567", "+", "+1",
                          "+1234567890123456", "tel:+15551234567", "+1555123456a"}) {
    EXPECT_EQ(error_of(std::string(R"({"type":"dial","number":")") + bad + "\"}"),
              "number must be an E.164 number such as +15551234567")
        << bad;
  }
  EXPECT_TRUE(is_e164("+123456789012345"));  // 15 digits, the most E.164 allows
  EXPECT_TRUE(is_e164("+44"));
}

TEST(VoiceApplication, TimeoutMustBeAnIntegerFromFiveToSixHundred) {
  for (const char* bad : {"4", "601", "-30", "30.5", "30.0", "\"30\"", "true", "null", "1e3",
                          "18446744073709551615", "9223372036854775808"}) {
    EXPECT_EQ(
        error_of(std::string(R"({"type":"dial","number":"+15551234567","timeout_s":)") + bad + "}"),
        "timeout_s must be an integer from 5 to 600")
        << bad;
  }
}

TEST(VoiceApplication, UnknownDiagnosticIsRefused) {
  EXPECT_EQ(error_of(R"({"type":"diagnostic","name":"Echo"})"),
            "name must be one of echo, prompt, ivr-test, ring, milliwatt");
  EXPECT_EQ(error_of(R"({"type":"diagnostic","name":""})"),
            "name must be one of echo, prompt, ivr-test, ring, milliwatt");
}

}  // namespace
}  // namespace irisx::voice::numbers
