#pragma once
// Reaching a registered phone behind NAT: its Contact names the address it has on its own
// network (192.168.x.y), which nothing outside can reach, while the NAT keeps a mapping open
// from the address its REGISTER came from. Like Kamailio's nat_uac_test + fix_nated_register,
// requests go to that source when the Contact is a private address (RFC 1918, RFC 6598 shared,
// link-local, IPv6 ULA/link-local) other than the source's; the Request-URI stays the Contact
// (RFC 3261 §8.1.2: the next hop may differ from it). A public or same-host Contact is used as
// it is, so third-party registrations (RFC 3261 §10.2.1) keep working.
#include <optional>
#include <string>
#include <string_view>

#include "voice/registrar/rules.hpp"

namespace irisx::voice::registrar {

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
  bool operator==(const HostPort&) const = default;
};

// "sip:1001@192.168.1.20:5062;transport=udp" → {192.168.1.20, 5062}; the default port is 5060
// (5061 for sips). nullopt for anything that is not a sip/sips URI with a host.
std::optional<HostPort> contact_address(std::string_view uri);

// "203.0.113.7:40112", "::1:5060" (the port after the last colon).
std::optional<HostPort> source_address(std::string_view source);

// True for an IP literal in a private, shared or link-local range (not loopback: a phone on
// this very host is reachable at its Contact).
bool is_private_address(const std::string& host);

// The next hop for requests to this binding, as a SIP URI ("sip:203.0.113.7:40112;
// transport=udp"); empty when the Contact should be used as it is (see above), or either
// address is unreadable.
std::string next_hop(const Binding& binding);

}  // namespace irisx::voice::registrar
