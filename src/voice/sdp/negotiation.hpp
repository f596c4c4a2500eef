#pragma once
// RFC 3264 offer/answer for one G.711 audio stream plus RFC 4733 telephone-events. sofia-sip
// runs with media disabled; this is where we answer its offers and read answers to ours.
// sofia's own soa dropped telephone-event from answers, which is why we do it ourselves.
//
// Profiles: RTP/AVP and RTP/AVPF are accepted (AVPF is answered as AVPF; feedback is optional
// to act on). RTP/SAVP, RTP/SAVPF and UDP/TLS/RTP/SAVPF need SRTP keys we do not negotiate
// here yet, so such streams are rejected like any other unusable m-line.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "voice/codec.hpp"
#include "voice/sdp/sdp.hpp"

namespace irisx::voice::sdp {

// What we offer or are willing to accept on our side.
struct LocalMedia {
  std::string address;  // our RTP address (IPv4 or IPv6 literal), written in o= and c=
  int rtp_port = 0;
  std::vector<Codec> codecs = {Codec::pcmu, Codec::pcma};  // our preference, for make_offer
  bool telephone_event = true;
  int telephone_event_pt = 101;  // used in our offers; answers echo the offerer's number
  Direction direction = Direction::sendrecv;
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;  // RFC 3264 §8: bump for every new offer in a dialog
};

// The outcome: where to send RTP and with which payload types.
struct Negotiated {
  Codec codec = Codec::pcmu;
  int payload_type = 0;                   // the number the remote wants to receive the codec as
  std::optional<int> telephone_event_pt;  // set when both sides do RFC 4733
  std::string remote_address;
  int remote_port = 0;
  // The remote's direction as it affects us: a sendrecv stream at c=0.0.0.0 (RFC 2543 hold)
  // is reported as sendonly, because the remote is not receiving.
  Direction remote_direction = Direction::sendrecv;
  Direction local_direction = Direction::sendrecv;  // what we do: send and/or receive
  int ptime = 20;

  // The remote has put the call on hold (RFC 3264 §8.4): it does not receive media.
  bool on_hold() const { return !receives(remote_direction); }
};

enum class Failure {
  malformed,        // the SDP does not parse or lacks a connection address for the stream
  no_audio,         // no audio m-line with a non-zero port and a protocol we speak
  no_common_codec,  // audio offered or answered, but none of our codecs
};

struct Answer {
  Negotiated negotiated;
  std::string sdp;
};

// RFC 3264 §6: answer a remote offer. The codec is the offerer's first one that we support
// (RFC 3264 §6.1 leaves the choice to the answerer; following the offerer's order is what
// peers expect). The answer has as many m-lines as the offer; all but the chosen audio stream
// are rejected with port 0.
std::variant<Answer, Failure> answer_offer(std::string_view offer_sdp, const LocalMedia& local);

// Our offer for an outbound call: one audio stream with local.codecs in order, telephone-event
// at local.telephone_event_pt (a dynamic type, 96..127, not used by a codec), ptime 20.
std::string make_offer(const LocalMedia& local);

// RFC 3264 §5: read the answer to make_offer(offered).
std::variant<Negotiated, Failure> accept_answer(std::string_view answer_sdp,
                                                const LocalMedia& offered);

const char* describe(Failure failure);

}  // namespace irisx::voice::sdp
