#pragma once
// Which trunk an inbound INVITE comes from, by its source address. Carriers do not
// authenticate toward us, so the network they send from is the only proof of who they are.
#include <string>
#include <vector>

#include "voice/trunks/trunk.hpp"

namespace irisx::voice::trunks {

// The first trunk (file order) with an inbound network containing `ip`, an IPv4 or IPv6
// literal without brackets or port; an IPv4-mapped IPv6 address (::ffff:203.0.113.10, what a
// dual-stack socket reports for an IPv4 peer) is matched as the IPv4 address. nullptr when
// none matches or `ip` is not an address. Entries that are not CIDRs never match.
const Trunk* trunk_for_source(const std::vector<Trunk>& trunks, const std::string& ip);

}  // namespace irisx::voice::trunks
