// The writer side of sdp.hpp: CRLF line endings and the line order of RFC 4566 §5, so peers
// with strict parsers accept what we send.
#include "voice/sdp/sdp.hpp"

#include <string>

namespace irisx::voice::sdp {
namespace {

void line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void attribute(std::string& out, std::string_view name, std::string_view value = {}) {
  out += "a=";
  out += name;
  if (!value.empty()) {
    out += ':';
    out += value;
  }
  out += "\r\n";
}

std::string connection_value(const std::string& address) {
  return (address.find(':') != std::string::npos ? "IN IP6 " : "IN IP4 ") + address;
}

std::string_view or_dash(const std::string& s) {
  return s.empty() ? "-" : std::string_view(s);
}

void serialize_media(std::string& out, const Media& m) {
  std::string value = m.type + ' ' + std::to_string(m.port);
  if (m.port_count != 1) value += '/' + std::to_string(m.port_count);
  value += ' ';
  value += m.protocol;
  for (const auto& f : m.formats) value += ' ' + f;
  line(out, 'm', value);
  if (m.connection) line(out, 'c', connection_value(*m.connection));
  for (const auto& b : m.bandwidths) line(out, 'b', b);
  // Each rtpmap followed by the fmtp of the same payload type, as peers usually write them.
  const auto fmtp = [&out](const std::pair<int, std::string>& p) {
    attribute(out, "fmtp", std::to_string(p.first) + (p.second.empty() ? "" : " " + p.second));
  };
  for (const auto& map : m.rtpmaps) {
    std::string v = std::to_string(map.payload_type) + ' ' + map.encoding + '/' +
                    std::to_string(map.clock_rate);
    if (map.channels != 1) v += '/' + std::to_string(map.channels);
    attribute(out, "rtpmap", v);
    if (m.rtpmap(map.payload_type) != &map) continue;  // a repeated rtpmap: fmtps written once
    for (const auto& p : m.fmtps) {
      if (p.first == map.payload_type) fmtp(p);
    }
  }
  for (const auto& p : m.fmtps) {
    if (!m.rtpmap(p.first)) fmtp(p);
  }
  if (m.ptime) attribute(out, "ptime", std::to_string(*m.ptime));
  if (m.maxptime) attribute(out, "maxptime", std::to_string(*m.maxptime));
  if (m.rtcp_port) {
    std::string v = std::to_string(*m.rtcp_port);
    if (m.rtcp_address) v += ' ' + connection_value(*m.rtcp_address);
    attribute(out, "rtcp", v);
  }
  if (m.direction) attribute(out, direction_name(*m.direction));
  for (const auto& a : m.attributes) attribute(out, a.name, a.value);
}

}  // namespace

std::string serialize(const Description& d) {
  std::string out;
  out.reserve(512);
  line(out, 'v', "0");
  const Origin& o = d.origin;
  std::string origin;
  for (const std::string* f : {&o.username, &o.session_id, &o.session_version, &o.network_type,
                               &o.address_type, &o.address}) {
    if (!origin.empty()) origin += ' ';
    origin += or_dash(*f);
  }
  line(out, 'o', origin);
  line(out, 's', or_dash(d.session_name));
  if (d.connection) line(out, 'c', connection_value(*d.connection));
  for (const auto& b : d.bandwidths) line(out, 'b', b);
  line(out, 't', d.timing.empty() ? "0 0" : d.timing);
  if (d.direction != Direction::sendrecv) attribute(out, direction_name(d.direction));
  for (const auto& a : d.attributes) attribute(out, a.name, a.value);
  for (const auto& m : d.media) serialize_media(out, m);
  return out;
}

}  // namespace irisx::voice::sdp
