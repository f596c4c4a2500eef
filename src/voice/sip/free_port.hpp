#pragma once
// Choosing a SIP port when the configuration says 0: sofia binds UDP and TCP on one port and
// cannot report what the kernel picked, so we find a port free for both first.
#include <cstdint>
#include <string>

namespace irisx::voice::sip {

// A port on `host` that was free for both UDP and TCP a moment ago; 0 if none was found.
std::uint16_t pick_free_port(const std::string& host);

}  // namespace irisx::voice::sip
