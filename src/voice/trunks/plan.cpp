#include "voice/trunks/plan.hpp"

#include "voice/trunks/syntax.hpp"

namespace irisx::voice::trunks {
namespace {

std::string without_plus(const std::string& number) {
  return !number.empty() && number.front() == '+' ? number.substr(1) : number;
}

// RFC 3261 §25.1: an IPv6 reference in a SIP URI is bracketed.
std::string uri_host(const std::string& host) {
  return host_kind(host) == HostKind::ipv6 ? "[" + host + "]" : host;
}

// Empty when the trunk has no caller ID to present for this caller.
std::string caller_id_for(const Trunk& trunk, const std::string& caller) {
  std::string id = trunk.caller_id;
  if (id.empty()) id = is_e164(caller) ? caller : trunk.default_caller_id;
  return trunk.strip_plus ? without_plus(id) : id;
}

}  // namespace

std::vector<OutboundTarget> plan_outbound(const std::vector<Trunk>& trunks,
                                          const std::string& number, const std::string& caller) {
  std::vector<OutboundTarget> plan;
  if (!is_dialable(number)) return plan;
  for (const auto& trunk : trunks) {
    const std::string caller_id = caller_id_for(trunk, caller);
    if (caller_id.empty()) continue;
    const std::string dialled = trunk.prefix + (trunk.strip_plus ? without_plus(number) : number);
    const std::string to =
        "sip:" + dialled + "@" + uri_host(trunk.host) + ":" + std::to_string(trunk.port);

    OutboundTarget target;
    target.trunk = trunk.name;
    target.to_uri = to;
    target.request_uri = trunk.transport == "tcp" ? to + ";transport=tcp" : to;
    target.from_uri = "sip:" + (trunk.from_user.empty() ? caller_id : trunk.from_user) + "@" +
                      uri_host(trunk.from_domain.empty() ? trunk.host : trunk.from_domain);
    target.from_display = caller_id;
    target.username = trunk.username;
    target.password = trunk.password;
    target.setup_timeout = trunk.setup_timeout;
    plan.push_back(std::move(target));
  }
  return plan;
}

}  // namespace irisx::voice::trunks
