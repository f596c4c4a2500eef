#include "voice/registrar/nat.hpp"

#include <charconv>
#include <vector>

#include "net/address_policy.hpp"

namespace irisx::voice::registrar {

namespace {

std::optional<int> port_of(std::string_view text) {
  int port = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (ec != std::errc() || ptr != end || port <= 0 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::optional<HostPort> contact_address(std::string_view uri) {
  int default_port = 5060;
  if (uri.starts_with("sips:")) {
    uri.remove_prefix(5);
    default_port = 5061;
  } else if (uri.starts_with("sip:")) {
    uri.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  uri = uri.substr(0, uri.find_first_of(";?>"));
  if (const auto at = uri.rfind('@'); at != std::string_view::npos) uri.remove_prefix(at + 1);
  HostPort out;
  std::string_view rest;
  if (uri.starts_with('[')) {
    const auto close = uri.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(uri.substr(1, close - 1));
    rest = uri.substr(close + 1);
  } else {
    const auto colon = uri.find(':');
    out.host = std::string(uri.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : uri.substr(colon);
  }
  if (out.host.empty()) return std::nullopt;
  out.port = default_port;
  if (rest.empty()) return out;
  if (!rest.starts_with(':')) return std::nullopt;
  const auto port = port_of(rest.substr(1));
  if (!port) return std::nullopt;
  out.port = *port;
  return out;
}

std::optional<HostPort> source_address(std::string_view source) {
  const auto colon = source.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto port = port_of(source.substr(colon + 1));
  if (!port) return std::nullopt;
  std::string_view host = source.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  return HostPort{std::string(host), *port};
}

bool is_private_address(const std::string& host) {
  static const std::vector<net::Cidr> ranges = [] {
    std::vector<net::Cidr> out;
    for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                             "169.254.0.0/16", "fc00::/7", "fe80::/10"})
      out.push_back(*net::parse_cidr(text));
    return out;
  }();
  const auto ip = net::parse_cidr(host);  // an IP literal reads as a /32 or /128
  if (!ip) return false;
  for (const auto& range : ranges) {
    if (range.family == ip->family && range.contains(ip->family, ip->bytes.data())) return true;
  }
  return false;
}

std::string next_hop(const Binding& binding) {
  const auto contact = contact_address(binding.contact_uri);
  const auto source = source_address(binding.source);
  if (!contact || !source || contact->host == source->host) return {};
  if (!is_private_address(contact->host)) return {};
  const bool v6 = source->host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + source->host + "]" : source->host;
  const std::string transport = binding.transport.empty() ? "udp" : binding.transport;
  return "sip:" + host + ":" + std::to_string(source->port) + ";transport=" + transport;
}

}  // namespace irisx::voice::registrar
