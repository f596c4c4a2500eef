#include "voice/sdp/sdp.hpp"

#include <charconv>
#include <string>

namespace irisx::voice::sdp {
namespace {

constexpr std::string_view kBlank = " \t";

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Fields separated by runs of spaces or tabs; RFC 4566 says one space, peers send more.
std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    pos = s.find_first_not_of(kBlank, pos);
    if (pos == std::string_view::npos) break;
    std::size_t end = s.find_first_of(kBlank, pos);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// Digits only (no sign, no blanks), at most `max`. from_chars never throws; the length cap keeps
// "99999999999999999999" from overflowing before the range check.
std::optional<int> parse_uint(std::string_view s, int max) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  (void)std::from_chars(s.data(), s.data() + s.size(), value);
  if (value > max) return std::nullopt;
  return value;
}

// Splits "<first> <rest>" at the first blank; rest has leading blanks removed.
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
  const std::size_t blank = s.find_first_of(kBlank);
  if (blank == std::string_view::npos) return {s, {}};
  std::string_view rest = s.substr(blank);
  const std::size_t start = rest.find_first_not_of(kBlank);
  return {s.substr(0, blank), start == std::string_view::npos ? "" : rest.substr(start)};
}

// c=<nettype> <addrtype> <connection-address> (RFC 4566 §5.7), also the tail of RFC 3605 a=rtcp.
// Only IN IP4 / IN IP6. The address type must agree with the literal so that serialize(), which
// derives it from the address, writes back what was read; a multicast /ttl suffix is dropped.
std::optional<std::string> parse_address(const std::vector<std::string_view>& f) {
  if (f.size() != 3 || f[0] != "IN") return std::nullopt;
  std::string_view address = f[2];
  const bool has_colon = address.find(':') != std::string_view::npos;
  if (f[1] == "IP4") {
    if (has_colon) return std::nullopt;
    address = address.substr(0, address.find('/'));
  } else if (f[1] == "IP6") {
    if (!has_colon) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (address.empty()) return std::nullopt;
  return std::string(address);
}

std::optional<Direction> direction_from(std::string_view name) {
  if (name == "sendrecv") return Direction::sendrecv;
  if (name == "sendonly") return Direction::sendonly;
  if (name == "recvonly") return Direction::recvonly;
  if (name == "inactive") return Direction::inactive;
  return std::nullopt;
}

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
std::optional<RtpMap> parse_rtpmap(std::string_view value) {
  const auto [pt_text, rest] = split_first(value);
  const auto pt = parse_uint(pt_text, 127);
  if (!pt || rest.empty() || rest.find_first_of(kBlank) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  std::string_view clock_text = rest.substr(slash + 1);
  std::string_view channels_text;
  if (const std::size_t second = clock_text.find('/'); second != std::string_view::npos) {
    channels_text = clock_text.substr(second + 1);
    clock_text = clock_text.substr(0, second);
  }
  RtpMap map{*pt, std::string(rest.substr(0, slash)), 0, 1};
  const auto clock = parse_uint(clock_text, 10'000'000);
  if (!clock || *clock == 0) return std::nullopt;
  map.clock_rate = *clock;
  if (!channels_text.empty() || rest.back() == '/') {
    const auto channels = parse_uint(channels_text, 255);
    if (!channels || *channels == 0) return std::nullopt;
    map.channels = *channels;
  }
  return map;
}

// a=fmtp:<format> <format specific parameters>. Non-RTP formats (webrtc-datachannel) are not
// interpreted and stay in the generic attribute list.
std::optional<std::pair<int, std::string>> parse_fmtp(std::string_view value) {
  const auto [pt_text, rest] = split_first(value);
  const auto pt = parse_uint(pt_text, 127);
  if (!pt) return std::nullopt;
  return std::pair<int, std::string>{*pt, std::string(rest)};
}

// Media-level attributes we interpret. Returns false when the attribute is not one of them or
// its value does not parse; the caller then keeps it verbatim (RFC 4566 §5.13: an attribute
// that is not understood is ignored, and we pass it on).
bool interpret_media_attribute(Media& m, std::string_view name, std::string_view value) {
  if (name == "rtpmap") {
    auto map = parse_rtpmap(value);
    if (!map) return false;
    m.rtpmaps.push_back(std::move(*map));
  } else if (name == "fmtp") {
    auto fmtp = parse_fmtp(value);
    if (!fmtp) return false;
    m.fmtps.push_back(std::move(*fmtp));
  } else if (name == "ptime" || name == "maxptime") {
    const auto ms = parse_uint(value, 100'000);
    if (!ms || *ms == 0) return false;
    (name == "ptime" ? m.ptime : m.maxptime) = *ms;
  } else if (name == "rtcp") {
    // RFC 3605 §2.1: a=rtcp:<port> [<nettype> <addrtype> <connection-address>]
    const auto [port_text, rest] = split_first(value);
    const auto port = parse_uint(port_text, 65535);
    if (!port) return false;
    std::optional<std::string> address;
    if (!rest.empty()) {
      address = parse_address(fields(rest));
      if (!address) return false;
    }
    m.rtcp_port = *port;
    m.rtcp_address = std::move(address);
  } else if (auto direction = direction_from(name)) {
    m.direction = direction;
  } else {
    return false;
  }
  return true;
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 4566 §5.14)
std::optional<Media> parse_media_line(std::string_view value, std::string& error) {
  const auto f = fields(value);
  if (f.size() < 4) {
    error = "m= needs media, port, protocol and at least one format";
    return std::nullopt;
  }
  Media m;
  m.type = std::string(f[0]);
  std::string_view port_text = f[1];
  if (const std::size_t slash = port_text.find('/'); slash != std::string_view::npos) {
    const auto count = parse_uint(port_text.substr(slash + 1), 65535);
    if (!count || *count == 0) {
      error = "m= port count is not a number in 1..65535";
      return std::nullopt;
    }
    m.port_count = *count;
    port_text = port_text.substr(0, slash);
  }
  const auto port = parse_uint(port_text, 65535);
  if (!port) {
    error = "m= port is not a number in 0..65535";
    return std::nullopt;
  }
  m.port = *port;
  m.protocol = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
  return m;
}

std::string at_line(std::size_t line, std::string_view what) {
  return "line " + std::to_string(line) + ": " + std::string(what);
}

}  // namespace

std::string_view direction_name(Direction direction) {
  switch (direction) {
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "sendrecv";
}

const RtpMap* Media::rtpmap(int payload_type) const {
  for (const auto& map : rtpmaps) {
    if (map.payload_type == payload_type) return &map;
  }
  return nullptr;
}

const std::string* Media::fmtp(int payload_type) const {
  for (const auto& [pt, params] : fmtps) {
    if (pt == payload_type) return &params;
  }
  return nullptr;
}

const Attribute* Media::attribute(std::string_view name) const {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

ParseResult parse(std::string_view text) {
  if (text.size() > kMaxSdpBytes) {
    return ParseError{"SDP body is larger than " + std::to_string(kMaxSdpBytes) + " bytes"};
  }
  Description d;
  bool seen_version = false, seen_origin = false, seen_name = false, seen_timing = false;
  std::size_t formats = 0;
  std::size_t attributes = 0;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim_right(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    if (line.empty()) continue;  // stray blank lines, e.g. an extra CRLF at the end
    const auto fail = [&](std::string_view what) { return ParseError{at_line(line_number, what)}; };
    // RFC 4566 §5: text is a byte string without NUL, CR or LF.
    if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
      return fail("NUL or CR inside a line");
    }
    if (line.size() < 2 || line[1] != '=') return fail("expected <type>=<value>");
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (type < 'a' || type > 'z') return fail("line type is not a lowercase letter");
    // RFC 4566 §5: "An SDP session description begins with a v= line".
    if (!seen_version) {
      if (type != 'v' || value != "0") return fail("SDP must begin with v=0");
      seen_version = true;
      continue;
    }
    const bool in_media = !d.media.empty();
    switch (type) {
      case 'v':
        return fail("second v= line");
      case 'o': {
        if (seen_origin || in_media) return fail("o= repeated or inside a media section");
        const auto f = fields(value);
        if (f.size() != 6) return fail("o= needs 6 fields");
        d.origin = Origin{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                          std::string(f[3]), std::string(f[4]), std::string(f[5])};
        seen_origin = true;
        break;
      }
      case 's':
        if (seen_name || in_media) return fail("s= repeated or inside a media section");
        d.session_name = std::string(value);
        seen_name = true;
        break;
      case 't':
        if (in_media) return fail("t= inside a media section");
        // RFC 4566 §5.9 allows several time descriptions; telephony uses "0 0", keep the first.
        if (!seen_timing) d.timing = std::string(value);
        seen_timing = true;
        break;
      case 'c': {
        auto address = parse_address(fields(value));
        if (!address) return fail("c= must be IN IP4 <address> or IN IP6 <address>");
        (in_media ? d.media.back().connection : d.connection) = std::move(address);
        break;
      }
      case 'b':
        (in_media ? d.media.back().bandwidths : d.bandwidths).emplace_back(value);
        break;
      case 'm': {
        if (d.media.size() >= kMaxMediaLines) return fail("too many m= lines");
        std::string error;
        auto media = parse_media_line(value, error);
        if (!media) return fail(error);
        formats += media->formats.size();
        if (formats > kMaxFormats) return fail("too many media formats");
        d.media.push_back(std::move(*media));
        break;
      }
      case 'a': {
        // Bounds the per-attribute lookups done later (rtpmap by payload type) as well.
        if (++attributes > kMaxAttributes) return fail("too many a= lines");
        const std::size_t colon = value.find(':');
        // Blanks before the colon are not part of the name; keeping them would make
        // "a=x :" serialize as "a=x " and read back as "x" (found by the fuzzer).
        const std::string_view name = trim_right(value.substr(0, colon));
        const std::string_view attr_value =
            colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
        if (name.empty()) break;  // "a=:x" names nothing; ignore it
        if (in_media) {
          if (!interpret_media_attribute(d.media.back(), name, attr_value)) {
            d.media.back().attributes.push_back({std::string(name), std::string(attr_value)});
          }
        } else if (auto direction = direction_from(name)) {
          d.direction = *direction;  // RFC 3264 §5.1: session level is the default for all media
        } else {
          d.attributes.push_back({std::string(name), std::string(attr_value)});
        }
        break;
      }
      default:
        break;  // i= u= e= p= z= k= r= and unknown types: RFC 4566 §5, ignored
    }
  }
  if (!seen_version) return ParseError{"empty SDP"};
  if (!seen_origin) return ParseError{"missing o= line"};
  return d;
}

}  // namespace irisx::voice::sdp
