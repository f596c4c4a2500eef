#pragma once
// Where to send the INVITE of one outbound call: one target per usable trunk, in file order,
// which is the failover order. Pure: the SIP layer sends them one after another.
#include <chrono>
#include <string>
#include <vector>

#include "voice/trunks/trunk.hpp"

namespace irisx::voice::trunks {

struct OutboundTarget {
  std::string trunk;         // trunk name (goes to the call record)
  std::string request_uri;   // sip:<number>@host:port, ";transport=tcp" for tcp, IPv6 in brackets
  std::string to_uri;        // request_uri without the transport parameter
  std::string from_uri;      // sip:<from user>@<from domain>
  std::string from_display;  // the caller ID
  std::string username, password;
  std::chrono::milliseconds setup_timeout{};
};

// number: the dialled number, '+'? and 3..20 digits ("+15551234567", "911"); anything else
// gives an empty plan. caller: the caller's number or extension ("+15550001111", "1001").
// Caller ID per trunk: its caller_id; else the caller when E.164 ('+' and 8..15 digits); else
// its default_caller_id; else the trunk is skipped, so an extension cannot dial out through a
// trunk that has no number to present for it. strip_plus applies to the number and caller ID.
std::vector<OutboundTarget> plan_outbound(const std::vector<Trunk>& trunks,
                                          const std::string& number, const std::string& caller);

}  // namespace irisx::voice::trunks
