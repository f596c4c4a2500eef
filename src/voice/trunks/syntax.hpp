#pragma once
// The small grammars a trunk definition and an outbound call share: host names, IP literals,
// telephone numbers. Internal to src/voice/trunks, but for routing's is_dialable check (what
// a phone dials is a number or nothing).
#include <cstddef>
#include <string_view>

namespace irisx::voice::trunks {

enum class HostKind { ipv4, ipv6, hostname, invalid };

// An IPv4 or IPv6 literal (no brackets, no zone) or an RFC 1123 host name. A name whose last
// label is all digits ("203.0.113", "10.0.0.256") is invalid: it is a mistyped address, and
// RFC 1123 §2.1 keeps top-level labels from looking like one.
HostKind host_kind(std::string_view host);

// Only '0'..'9' (true for "").
bool is_digits(std::string_view text);

// An optional leading '+' and min_digits..max_digits digits, nothing else.
bool is_number(std::string_view text, std::size_t min_digits, std::size_t max_digits);

// What may be dialled and what a trunk may present as caller ID: '+'? and 3..20 digits.
inline bool is_dialable(std::string_view text) {
  return is_number(text, 3, 20);
}

// E.164 as it reaches us from callers: '+' and 8..15 digits (ITU-T E.164 §6: at most 15).
inline bool is_e164(std::string_view text) {
  return !text.empty() && text.front() == '+' && is_number(text, 8, 15);
}

}  // namespace irisx::voice::trunks
