#pragma once
// Wall-clock time as the store keeps it: integer milliseconds since the Unix epoch (UTC),
// rendered as RFC 3339 at the API boundary.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irisx {

std::int64_t now_ms();
std::string rfc3339(std::int64_t epoch_ms);  // 2026-11-24T10:00:00Z (ms only if non-zero)
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// "250ms", "5s", "5m", "2h", "1d" → milliseconds; nullopt for anything else.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace irisx
