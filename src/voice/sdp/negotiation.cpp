#include "voice/sdp/negotiation.hpp"

#include <algorithm>
#include <cstddef>

namespace irisx::voice::sdp {
namespace {

constexpr std::string_view kTelephoneEvent = "telephone-event";
constexpr std::string_view kTelephoneEventEvents = "0-16";  // DTMF 0-9 * # A-D and flash
constexpr int kDefaultPtime = kFrameMs;
// A ptime outside this range is not something a G.711 peer means; we keep our 20 ms then.
constexpr int kMinPtime = 10;
constexpr int kMaxPtime = 120;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// An RTP format is a payload type number 0..127 (RFC 4566 §5.14, RFC 3551 §3).
std::optional<int> payload_type(std::string_view format) {
  if (format.empty() || format.size() > 3) return std::nullopt;
  int pt = 0;
  for (char c : format) {
    if (c < '0' || c > '9') return std::nullopt;
    pt = pt * 10 + (c - '0');
  }
  return pt <= 127 ? std::optional<int>(pt) : std::nullopt;
}

// RFC 3551 §6: 0 and 8 are PCMU and PCMA without an rtpmap; an rtpmap, when present, decides
// (dynamic numbers, or a peer that remaps a static one). Names are case-insensitive (RFC 4855).
std::optional<Codec> codec_of(const Media& m, int pt) {
  if (const RtpMap* map = m.rtpmap(pt)) {
    if (map->clock_rate != kSampleRate || map->channels != 1) return std::nullopt;
    for (Codec c : {Codec::pcmu, Codec::pcma}) {
      if (iequals(map->encoding, encoding_name(c))) return c;
    }
    return std::nullopt;
  }
  if (pt == static_payload_type(Codec::pcmu)) return Codec::pcmu;
  if (pt == static_payload_type(Codec::pcma)) return Codec::pcma;
  return std::nullopt;
}

// RFC 4733 §7.1.1: telephone-event at the 8 kHz clock of G.711.
std::optional<int> telephone_event_of(const Media& m) {
  for (const auto& format : m.formats) {
    const auto pt = payload_type(format);
    if (!pt) continue;
    const RtpMap* map = m.rtpmap(*pt);
    if (map && map->clock_rate == kSampleRate && iequals(map->encoding, kTelephoneEvent)) {
      return pt;
    }
  }
  return std::nullopt;
}

bool usable(const Media& m) {
  return m.type == "audio" && m.port != 0 && (m.protocol == "RTP/AVP" || m.protocol == "RTP/AVPF");
}

// RFC 3264 §8.4 holds with a=sendonly/inactive; RFC 2543 §B.5 held with c=0.0.0.0, which old
// gateways still send. Either way the remote does not receive.
bool hold_address(std::string_view address) {
  return address == "0.0.0.0" || address == "::";
}

bool is_ipv6(std::string_view address) {
  return address.find(':') != std::string_view::npos;
}

// Negotiates one stream against the remote's description of it. The codec is the first of the
// remote's formats that we support, so an offer's order wins in answers (RFC 3264 §6.1) and an
// answer's order wins when we offered (RFC 3264 §7).
std::variant<Negotiated, Failure> negotiate(const Description& d, const Media& m,
                                            const LocalMedia& local) {
  Negotiated n;
  bool found = false;
  for (const auto& format : m.formats) {
    const auto pt = payload_type(format);
    if (!pt) continue;
    const auto codec = codec_of(m, *pt);
    if (codec &&
        std::find(local.codecs.begin(), local.codecs.end(), *codec) != local.codecs.end()) {
      n.codec = *codec;
      n.payload_type = *pt;
      found = true;
      break;
    }
  }
  if (!found) return Failure::no_common_codec;
  // RFC 4566 §5.7: c= at session level or in every m= section.
  const auto& connection = m.connection ? m.connection : d.connection;
  if (!connection) return Failure::malformed;
  if (local.telephone_event) n.telephone_event_pt = telephone_event_of(m);
  n.remote_address = *connection;
  n.remote_port = m.port;
  Direction remote = m.effective_direction(d.direction);
  if (hold_address(*connection)) remote = make_direction(sends(remote), false);
  n.remote_direction = remote;
  // RFC 3264 §6.1: we send only to a receiver and receive only from a sender.
  n.local_direction = make_direction(sends(local.direction) && receives(remote),
                                     receives(local.direction) && sends(remote));
  if (m.ptime && *m.ptime >= kMinPtime && *m.ptime <= kMaxPtime) n.ptime = *m.ptime;
  return n;
}

Description session(const LocalMedia& local) {
  Description d;
  // RFC 4566 §5.2: the session id and version are numeric; the version grows per offer.
  d.origin =
      Origin{"irisx", std::to_string(local.session_id),       std::to_string(local.session_version),
             "IN",    is_ipv6(local.address) ? "IP6" : "IP4", local.address};
  d.session_name = "irisx";
  d.connection = local.address;
  d.timing = "0 0";
  return d;
}

void add_codec(Media& m, int pt, std::string_view encoding) {
  m.formats.push_back(std::to_string(pt));
  m.rtpmaps.push_back(RtpMap{pt, std::string(encoding), kSampleRate, 1});
}

}  // namespace

std::variant<Answer, Failure> answer_offer(std::string_view offer_sdp, const LocalMedia& local) {
  const ParseResult parsed = parse(offer_sdp);
  const auto* offer = std::get_if<Description>(&parsed);
  if (!offer) return Failure::malformed;

  // The first usable audio stream with a codec in common; later ones are only tried when an
  // earlier one has no common codec.
  std::optional<std::size_t> chosen;
  std::optional<Negotiated> negotiated;
  bool saw_audio = false;
  for (std::size_t i = 0; i < offer->media.size() && !chosen; ++i) {
    const Media& m = offer->media[i];
    if (!usable(m)) continue;
    saw_audio = true;
    auto result = negotiate(*offer, m, local);
    if (auto* n = std::get_if<Negotiated>(&result)) {
      chosen = i;
      negotiated = std::move(*n);
    } else if (std::get<Failure>(result) != Failure::no_common_codec) {
      return std::get<Failure>(result);
    }
  }
  if (!saw_audio) return Failure::no_audio;
  if (!chosen) return Failure::no_common_codec;

  Description answer = session(local);
  for (std::size_t i = 0; i < offer->media.size(); ++i) {
    const Media& offered = offer->media[i];
    Media m;
    m.type = offered.type;
    m.protocol = offered.protocol;
    if (i != *chosen) {
      // RFC 3264 §6: a rejected stream keeps its place with port 0 and the offered formats.
      m.formats = offered.formats;
      answer.media.push_back(std::move(m));
      continue;
    }
    m.port = local.rtp_port;
    add_codec(m, negotiated->payload_type, encoding_name(negotiated->codec));
    if (negotiated->telephone_event_pt) {
      // RFC 4733 §7.1.1: answer with the offerer's payload type and its event list.
      const int pt = *negotiated->telephone_event_pt;
      add_codec(m, pt, kTelephoneEvent);
      if (const std::string* events = offered.fmtp(pt)) m.fmtps.emplace_back(pt, *events);
    }
    m.ptime = negotiated->ptime;
    m.direction = negotiated->local_direction;
    answer.media.push_back(std::move(m));
  }
  return Answer{std::move(*negotiated), serialize(answer)};
}

std::string make_offer(const LocalMedia& local) {
  Description offer = session(local);
  Media m;
  m.type = "audio";
  m.port = local.rtp_port;
  m.protocol = "RTP/AVP";
  for (Codec c : local.codecs) add_codec(m, static_payload_type(c), encoding_name(c));
  if (local.telephone_event) {
    add_codec(m, local.telephone_event_pt, kTelephoneEvent);
    m.fmtps.emplace_back(local.telephone_event_pt, std::string(kTelephoneEventEvents));
  }
  m.ptime = kDefaultPtime;
  m.direction = local.direction;
  offer.media.push_back(std::move(m));
  return serialize(offer);
}

std::variant<Negotiated, Failure> accept_answer(std::string_view answer_sdp,
                                                const LocalMedia& offered) {
  const ParseResult parsed = parse(answer_sdp);
  const auto* answer = std::get_if<Description>(&parsed);
  // RFC 3264 §6: the answer mirrors our single audio m-line.
  if (!answer || answer->media.empty() || answer->media.front().type != "audio") {
    return Failure::malformed;
  }
  const Media& m = answer->media.front();
  if (m.port == 0) return Failure::no_common_codec;  // RFC 3264 §6: the stream was rejected
  if (!usable(m)) return Failure::no_audio;
  return negotiate(*answer, m, offered);
}

const char* describe(Failure failure) {
  switch (failure) {
    case Failure::malformed:
      return "malformed SDP";
    case Failure::no_audio:
      return "no RTP/AVP audio stream";
    case Failure::no_common_codec:
      return "no codec in common";
  }
  return "unknown SDP failure";
}

}  // namespace irisx::voice::sdp
