#pragma once
// SDP (RFC 4566) as a telephony engine meets it: parse the bodies the SIP stack hands us and
// write our own. The parser faces the network, so every byte string yields either a
// Description or a ParseError — never an exception, a crash or unbounded work.
//
// What is interpreted: v= o= s= c= t= b= m= and the attributes rtpmap, fmtp, ptime, maxptime,
// sendrecv/sendonly/recvonly/inactive and rtcp (RFC 3605). Every other attribute is kept as
// (name, value) in order, so ICE and DTLS attributes survive a parse/serialize round trip.
// Other line types (i= u= e= p= z= k= r= and unknown letters) are ignored (RFC 4566 §5).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace irisx::voice::sdp {

// Limits on what parse() accepts; a real offer is a few hundred bytes with one or two m-lines.
constexpr std::size_t kMaxSdpBytes = 64 * 1024;
constexpr std::size_t kMaxMediaLines = 64;
constexpr std::size_t kMaxFormats = 256;      // summed over all m-lines
constexpr std::size_t kMaxAttributes = 2048;  // a= lines, session and media together

// RFC 3264 §5.1 / RFC 4566 §6: the direction attributes.
enum class Direction { sendrecv, sendonly, recvonly, inactive };

std::string_view direction_name(Direction direction);  // "sendrecv", ...
constexpr bool sends(Direction d) {
  return d == Direction::sendrecv || d == Direction::sendonly;
}
constexpr bool receives(Direction d) {
  return d == Direction::sendrecv || d == Direction::recvonly;
}
constexpr Direction make_direction(bool send, bool receive) {
  if (send) return receive ? Direction::sendrecv : Direction::sendonly;
  return receive ? Direction::recvonly : Direction::inactive;
}

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>] (RFC 4566 §6).
struct RtpMap {
  int payload_type = 0;
  std::string encoding;
  int clock_rate = 0;
  int channels = 1;
  bool operator==(const RtpMap&) const = default;
};

// Any attribute we do not interpret: a=<name>[:<value>]. A flag attribute has an empty value.
struct Attribute {
  std::string name;
  std::string value;
  bool operator==(const Attribute&) const = default;
};

// One m= section. Connection addresses are stored without the "IN IP4|IP6" prefix (and without
// a multicast TTL); the address type is written back as IP6 exactly when the address has a ':'.
struct Media {
  std::string type;  // "audio", "video", "application", "image", ...
  int port = 0;      // 0 = stream rejected or disabled (RFC 3264 §6)
  int port_count = 1;
  std::string protocol;              // "RTP/AVP", "RTP/SAVPF", "udptl", ...
  std::vector<std::string> formats;  // payload types for RTP, in preference order
  std::vector<RtpMap> rtpmaps;
  std::vector<std::pair<int, std::string>> fmtps;  // payload type -> format parameters
  std::optional<std::string> connection;           // media-level c= overrides the session's
  std::vector<std::string> bandwidths;             // b= values as written ("AS:64")
  std::optional<Direction> direction;              // unset: the session-level direction applies
  std::optional<int> ptime;
  std::optional<int> maxptime;
  std::optional<int> rtcp_port;             // RFC 3605 a=rtcp
  std::optional<std::string> rtcp_address;  // RFC 3605 optional address
  std::vector<Attribute> attributes;        // everything else, in order

  const RtpMap* rtpmap(int payload_type) const;  // first match or nullptr
  const std::string* fmtp(int payload_type) const;
  const Attribute* attribute(std::string_view name) const;  // first match or nullptr
  Direction effective_direction(Direction session_default) const {
    return direction.value_or(session_default);
  }
  bool operator==(const Media&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 4566 §5.2).
struct Origin {
  std::string username, session_id, session_version, network_type, address_type, address;
  bool operator==(const Origin&) const = default;
};

struct Description {
  Origin origin;
  std::string session_name;  // written as "-" when empty
  std::optional<std::string> connection;
  std::vector<std::string> bandwidths;
  std::string timing = "0 0";  // the first t= line's value
  Direction direction = Direction::sendrecv;
  std::vector<Attribute> attributes;  // session-level attributes we do not interpret
  std::vector<Media> media;
  bool operator==(const Description&) const = default;
};

struct ParseError {
  std::string message;  // "line 3: m= port is not a number in 0..65535"
};

using ParseResult = std::variant<Description, ParseError>;

ParseResult parse(std::string_view text);

// CRLF line endings in the order of RFC 4566 §5. For any Description parse() returned,
// parse(serialize(d)) succeeds and serializing that again gives the same text, unless the
// text would exceed kMaxSdpBytes (bare-LF input grows by one byte a line).
std::string serialize(const Description& description);

}  // namespace irisx::voice::sdp
