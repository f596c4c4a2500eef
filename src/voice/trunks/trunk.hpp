#pragma once
// SIP trunks toward carriers: operator configuration kept in its own TOML file (named by
// `voice.trunks_file`), one [[trunk]] table per carrier, like FreeSWITCH gateways. The file
// order is the failover order (plan.hpp) and the inbound match order (match.hpp).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace irisx::voice::trunks {

struct Trunk {
  std::string name;  // required, unique, [a-z0-9_-]+
  std::string host;  // required: IP literal or host name of the carrier
  std::uint16_t port = 5060;
  std::string transport = "udp";   // "udp" or "tcp"
  std::string username, password;  // digest credentials toward the carrier; both or neither
  std::string from_user;           // From user; empty: the caller ID
  std::string from_domain;         // From host; empty: host
  std::string caller_id;           // fixed caller ID for every call out; empty: the caller's
  std::string default_caller_id;   // when the caller's number is not E.164; empty: trunk skipped
  bool strip_plus = false;         // 15551234567 instead of +15551234567 (number and caller ID)
  std::string prefix;              // digits prepended to the dialled number after strip_plus
  // CIDRs whose INVITEs are taken as from this trunk. When the key is absent: host/32 for an
  // IPv4 literal, host/128 for an IPv6 literal, none for a host name. `[]` means none.
  std::vector<std::string> inbound_networks;
  // Digest credentials the carrier answers our 407 with when its INVITEs come from outside
  // inbound_networks; both or neither, the password at least 12 characters, the username
  // unique among trunks (it names the trunk). The realm is the INVITE's From host.
  std::string inbound_username, inbound_password;
  std::chrono::milliseconds setup_timeout{5000};  // no provisional or final response: fail over
};

// Both throw std::runtime_error naming the file, the trunk (by name, or by position when the
// name itself is wrong) and the field: unknown key, wrong type, missing name or host, bad
// transport, port out of range, bad CIDR or one with host bits set, duplicate name or
// inbound_username, username without password... A typo never falls back to a default.
//
//   [[trunk]]
//   name = "carrier-a"
//   host = "203.0.113.10"
//   port = 5060
//   transport = "udp"
//   username = "..."
//   password = "..."
//   default_caller_id = "+15550000000"
//   inbound_networks = ["203.0.113.0/24"]
//   inbound_username = "..."
//   inbound_password = "..."
//   setup_timeout_ms = 5000
std::vector<Trunk> load_trunks(const std::string& path);
// `source_name` stands for the file in messages.
std::vector<Trunk> parse_trunks(const std::string& toml_text, const std::string& source_name);

}  // namespace irisx::voice::trunks
