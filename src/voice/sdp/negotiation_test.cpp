#include "voice/sdp/negotiation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "voice/sdp/test_offers.hpp"

namespace irisx::voice::sdp {
namespace {

namespace offers = test_offers;

LocalMedia local_media() {
  LocalMedia local;
  local.address = "192.0.2.10";
  local.rtp_port = 40000;
  local.session_id = 111;
  local.session_version = 222;
  return local;
}

Answer answered(std::string_view offer, const LocalMedia& local = local_media()) {
  auto result = answer_offer(offer, local);
  if (const auto* failure = std::get_if<Failure>(&result)) {
    ADD_FAILURE() << "answer_offer failed: " << describe(*failure);
    return {};
  }
  return std::get<Answer>(std::move(result));
}

Failure failure_of(std::string_view offer, const LocalMedia& local = local_media()) {
  const auto result = answer_offer(offer, local);
  if (const auto* failure = std::get_if<Failure>(&result)) return *failure;
  ADD_FAILURE() << "answer_offer succeeded, expected a failure";
  return Failure::malformed;
}

Description parsed(std::string_view text) {
  ParseResult result = parse(text);
  if (auto* d = std::get_if<Description>(&result)) return std::move(*d);
  ADD_FAILURE() << "does not parse: " << std::get<ParseError>(result).message << "\n" << text;
  return {};
}

// An offer with the usual head and the given media section(s).
std::string offer_with(std::string_view media, std::string_view connection = "192.0.2.50") {
  return "v=0\r\no=peer 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 " + std::string(connection) +
         "\r\nt=0 0\r\n" + std::string(media);
}

TEST(NegotiationAnswer, SippDefaultOfferGetsThisExactAnswer) {
  const Answer a = answered(offers::kSipp);
  EXPECT_EQ(a.sdp,
            "v=0\r\no=irisx 111 222 IN IP4 192.0.2.10\r\ns=irisx\r\nc=IN IP4 192.0.2.10\r\n"
            "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
            "a=sendrecv\r\n");
  EXPECT_EQ(a.negotiated.codec, Codec::pcmu);
  EXPECT_EQ(a.negotiated.payload_type, 0);
  EXPECT_FALSE(a.negotiated.telephone_event_pt);
  EXPECT_EQ(a.negotiated.remote_address, "127.0.0.1");
  EXPECT_EQ(a.negotiated.remote_port, 6000);
  EXPECT_EQ(a.negotiated.remote_direction, Direction::sendrecv);
  EXPECT_EQ(a.negotiated.local_direction, Direction::sendrecv);
  EXPECT_EQ(a.negotiated.ptime, 20);
  EXPECT_FALSE(a.negotiated.on_hold());
}

TEST(NegotiationAnswer, CodecFollowsTheOfferersOrder) {
  EXPECT_EQ(answered(offers::kAsterisk).negotiated.codec, Codec::pcma);    // 8 0 3 101
  EXPECT_EQ(answered(offers::kFreeswitch).negotiated.codec, Codec::pcmu);  // 0 8 101 13
  EXPECT_EQ(answered(offers::kZoiper).negotiated.codec, Codec::pcma);      // 3 110 8 0 ...
}

TEST(NegotiationAnswer, PcmaOnlyOfferChoosesPcma) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 8\r\n"));
  EXPECT_EQ(a.negotiated.codec, Codec::pcma);
  EXPECT_EQ(a.negotiated.payload_type, 8);
  EXPECT_NE(a.sdp.find("m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, StaticPayloadTypesNeedNoRtpmap) {
  const Answer a = answered(offers::kLinphone);  // 96 97 98 0 8 ...: 0 has no rtpmap
  EXPECT_EQ(a.negotiated.codec, Codec::pcmu);
  EXPECT_EQ(a.negotiated.payload_type, 0);
}

TEST(NegotiationAnswer, DynamicPayloadTypeIsRecognisedByRtpmapNameCaseInsensitively) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 97\r\na=rtpmap:97 pcma/8000\r\n"));
  EXPECT_EQ(a.negotiated.codec, Codec::pcma);
  EXPECT_EQ(a.negotiated.payload_type, 97);
  EXPECT_NE(a.sdp.find("m=audio 40000 RTP/AVP 97\r\na=rtpmap:97 PCMA/8000\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, G711AtAnotherClockRateIsNotG711) {
  EXPECT_EQ(failure_of(offer_with("m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000\r\n")),
            Failure::no_common_codec);
}

TEST(NegotiationAnswer, G729OnlyOfferHasNoCommonCodec) {
  EXPECT_EQ(failure_of(offer_with("m=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n")),
            Failure::no_common_codec);
}

TEST(NegotiationAnswer, OnlyLocallyEnabledCodecsAreChosen) {
  LocalMedia local = local_media();
  local.codecs = {Codec::pcma};
  EXPECT_EQ(answered(offers::kFreeswitch, local).negotiated.codec, Codec::pcma);
  EXPECT_EQ(failure_of(offers::kSipp, local), Failure::no_common_codec);
}

TEST(NegotiationAnswer, TelephoneEventUsesTheOfferersPayloadTypeAndFmtp) {
  const Answer a = answered(offers::kZoiper);
  EXPECT_EQ(a.negotiated.telephone_event_pt, 101);
  EXPECT_NE(a.sdp.find("m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
                       "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"),
            std::string::npos);
}

TEST(NegotiationAnswer, TelephoneEventIsTheOneAt8000Hz) {
  const Answer a = answered(offers::kLinphone);  // 101 at 48000, 99 at 16000, 100 at 8000
  EXPECT_EQ(a.negotiated.telephone_event_pt, 100);
  EXPECT_NE(a.sdp.find("m=audio 40000 RTP/AVP 0 100\r\n"), std::string::npos);
  EXPECT_EQ(a.sdp.find("fmtp"), std::string::npos);  // Linphone sent none, we add none
}

TEST(NegotiationAnswer, TelephoneEventIsLeftOutWhenDisabledLocally) {
  LocalMedia local = local_media();
  local.telephone_event = false;
  const Answer a = answered(offers::kFreeswitch, local);
  EXPECT_FALSE(a.negotiated.telephone_event_pt);
  EXPECT_EQ(a.sdp.find("telephone-event"), std::string::npos);
}

TEST(NegotiationAnswer, VideoAndAudioOfferGetsTwoMLinesWithVideoRejected) {
  const Answer a = answered(offers::kVideoAndAudio);
  const Description d = parsed(a.sdp);
  ASSERT_EQ(d.media.size(), 2u);
  EXPECT_EQ(d.media[0].type, "video");
  EXPECT_EQ(d.media[0].port, 0);
  EXPECT_EQ(d.media[0].formats, (std::vector<std::string>{"99", "31"}));
  EXPECT_TRUE(d.media[0].rtpmaps.empty());
  EXPECT_EQ(d.media[1].port, 40000);
  EXPECT_EQ(a.negotiated.codec, Codec::pcma);
  EXPECT_EQ(a.negotiated.telephone_event_pt, 101);
  EXPECT_EQ(a.negotiated.remote_address, "192.0.2.31");  // media-level c= wins
  EXPECT_EQ(a.negotiated.remote_port, 49170);
}

TEST(NegotiationAnswer, OnlyTheFirstUsableAudioStreamIsAccepted) {
  const Answer a =
      answered(offer_with("m=audio 0 RTP/AVP 0\r\nm=audio 5000 RTP/AVP 0\r\n"
                          "m=audio 5002 RTP/AVP 8\r\n"));
  const Description d = parsed(a.sdp);
  ASSERT_EQ(d.media.size(), 3u);
  EXPECT_EQ(d.media[0].port, 0);
  EXPECT_EQ(d.media[1].port, 40000);
  EXPECT_EQ(d.media[2].port, 0);
  EXPECT_EQ(a.negotiated.remote_port, 5000);
}

TEST(NegotiationAnswer, LaterAudioStreamIsTriedWhenTheFirstHasNoCommonCodec) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 18\r\nm=audio 5002 RTP/AVP 8\r\n"));
  EXPECT_EQ(a.negotiated.remote_port, 5002);
  EXPECT_EQ(parsed(a.sdp).media.at(0).port, 0);
}

TEST(NegotiationAnswer, NoUsableAudioStreamIsNoAudio) {
  EXPECT_EQ(failure_of(offer_with("m=video 5000 RTP/AVP 99\r\n")), Failure::no_audio);
  EXPECT_EQ(failure_of(offer_with("m=audio 0 RTP/AVP 0\r\n")), Failure::no_audio);
  EXPECT_EQ(failure_of(offer_with("m=audio 5000 RTP/SAVP 0\r\n")), Failure::no_audio);
  EXPECT_EQ(failure_of(offer_with("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n")), Failure::no_audio);
  EXPECT_EQ(failure_of(offer_with("")), Failure::no_audio);
}

TEST(NegotiationAnswer, AvpfOfferIsAnsweredAsAvpf) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVPF 0\r\n"));
  EXPECT_NE(a.sdp.find("m=audio 40000 RTP/AVPF 0\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, MalformedOfferIsMalformed) {
  EXPECT_EQ(failure_of(""), Failure::malformed);
  EXPECT_EQ(failure_of("m=audio 5000 RTP/AVP 0\r\n"), Failure::malformed);
  EXPECT_EQ(failure_of(offer_with("m=audio -1 RTP/AVP 0\r\n")), Failure::malformed);
}

TEST(NegotiationAnswer, OfferWithoutAnyConnectionAddressIsMalformed) {
  EXPECT_EQ(
      failure_of("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n"),
      Failure::malformed);
}

TEST(NegotiationAnswer, SendonlyOfferIsHoldAndAnsweredRecvonly) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n"));
  EXPECT_TRUE(a.negotiated.on_hold());
  EXPECT_EQ(a.negotiated.remote_direction, Direction::sendonly);
  EXPECT_EQ(a.negotiated.local_direction, Direction::recvonly);
  EXPECT_NE(a.sdp.find("a=recvonly\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, ZeroAddressOfferIsRfc2543HoldAndAnsweredRecvonly) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 0\r\n", "0.0.0.0"));
  EXPECT_TRUE(a.negotiated.on_hold());
  EXPECT_EQ(a.negotiated.remote_direction, Direction::sendonly);
  EXPECT_EQ(a.negotiated.local_direction, Direction::recvonly);
  EXPECT_NE(a.sdp.find("a=recvonly\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, InactiveOfferIsHoldAndAnsweredInactive) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 0\r\na=inactive\r\n"));
  EXPECT_TRUE(a.negotiated.on_hold());
  EXPECT_EQ(a.negotiated.local_direction, Direction::inactive);
  EXPECT_NE(a.sdp.find("a=inactive\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, RecvonlyOfferIsAnsweredSendonlyAndIsNotHold) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 0\r\na=recvonly\r\n"));
  EXPECT_FALSE(a.negotiated.on_hold());
  EXPECT_EQ(a.negotiated.local_direction, Direction::sendonly);
  EXPECT_NE(a.sdp.find("a=sendonly\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, SessionLevelDirectionAppliesToTheStream) {
  const Answer a = answered(offer_with("a=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n"));
  EXPECT_TRUE(a.negotiated.on_hold());
  EXPECT_EQ(a.negotiated.local_direction, Direction::recvonly);
}

TEST(NegotiationAnswer, SendrecvOfferGetsOurLocalDirection) {
  LocalMedia local = local_media();
  local.direction = Direction::sendonly;  // we put the remote on hold
  const Answer a = answered(offers::kSipp, local);
  EXPECT_EQ(a.negotiated.local_direction, Direction::sendonly);
  EXPECT_FALSE(a.negotiated.on_hold());
  EXPECT_NE(a.sdp.find("a=sendonly\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, PtimeIsTakenFromTheOffer) {
  const Answer a = answered(offers::kFreeswitch);  // a=ptime:30
  EXPECT_EQ(a.negotiated.ptime, 30);
  EXPECT_NE(a.sdp.find("a=ptime:30\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, AbsurdPtimeFallsBackTo20) {
  const Answer a = answered(offer_with("m=audio 5000 RTP/AVP 0\r\na=ptime:5000\r\n"));
  EXPECT_EQ(a.negotiated.ptime, 20);
  EXPECT_NE(a.sdp.find("a=ptime:20\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, Ipv6OfferAndAddressGiveAnIpv6Answer) {
  LocalMedia local = local_media();
  local.address = "2001:db8::10";
  const Answer a = answered(offers::kIpv6, local);
  EXPECT_EQ(a.negotiated.remote_address, "2001:db8::1");
  EXPECT_NE(a.sdp.find("o=irisx 111 222 IN IP6 2001:db8::10\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("c=IN IP6 2001:db8::10\r\n"), std::string::npos);
  // The offer's session-level recvonly: the remote does not send, so we only send.
  EXPECT_EQ(a.negotiated.local_direction, Direction::sendonly);
}

TEST(NegotiationAnswer, IceAttributesOfTheOfferDoNotLeakIntoTheAnswer) {
  const Answer a = answered(offers::kAsterisk);
  EXPECT_EQ(a.sdp.find("ice-"), std::string::npos);
  EXPECT_EQ(a.sdp.find("candidate"), std::string::npos);
}

TEST(NegotiationOffer, OfferListsCodecsTelephoneEventPtimeAndDirection) {
  EXPECT_EQ(make_offer(local_media()),
            "v=0\r\no=irisx 111 222 IN IP4 192.0.2.10\r\ns=irisx\r\nc=IN IP4 192.0.2.10\r\n"
            "t=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
            "a=ptime:20\r\na=sendrecv\r\n");
}

TEST(NegotiationOffer, HoldOfferIsSendonlyWithoutTelephoneEventWhenDisabled) {
  LocalMedia local = local_media();
  local.direction = Direction::sendonly;
  local.telephone_event = false;
  local.codecs = {Codec::pcma};
  const Description d = parsed(make_offer(local));
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_EQ(d.media[0].formats, std::vector<std::string>{"8"});
  EXPECT_EQ(d.media[0].direction, Direction::sendonly);
}

TEST(NegotiationAcceptAnswer, OfferAnsweredByAnotherEngineNegotiatesTheSameCodec) {
  LocalMedia caller = local_media();
  caller.codecs = {Codec::pcma, Codec::pcmu};
  LocalMedia callee = local_media();
  callee.address = "192.0.2.99";
  callee.rtp_port = 50000;
  const Answer a = answered(make_offer(caller), callee);
  EXPECT_EQ(a.negotiated.codec, Codec::pcma);
  const auto result = accept_answer(a.sdp, caller);
  ASSERT_TRUE(std::holds_alternative<Negotiated>(result));
  const Negotiated& n = std::get<Negotiated>(result);
  EXPECT_EQ(n.codec, Codec::pcma);
  EXPECT_EQ(n.telephone_event_pt, 101);
  EXPECT_EQ(n.remote_address, "192.0.2.99");
  EXPECT_EQ(n.remote_port, 50000);
  EXPECT_EQ(n.local_direction, Direction::sendrecv);
}

TEST(NegotiationAcceptAnswer, UsesTheAnswerersPayloadTypes) {
  const auto result =
      accept_answer(offer_with("m=audio 7000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n"
                               "a=ptime:30\r\n"),
                    local_media());
  ASSERT_TRUE(std::holds_alternative<Negotiated>(result));
  EXPECT_EQ(std::get<Negotiated>(result).telephone_event_pt, 96);
  EXPECT_EQ(std::get<Negotiated>(result).ptime, 30);
}

TEST(NegotiationAcceptAnswer, SendonlyAnswerPutsUsOnHold) {
  const auto result =
      accept_answer(offer_with("m=audio 7000 RTP/AVP 0\r\na=sendonly\r\n"), local_media());
  ASSERT_TRUE(std::holds_alternative<Negotiated>(result));
  EXPECT_TRUE(std::get<Negotiated>(result).on_hold());
  EXPECT_EQ(std::get<Negotiated>(result).local_direction, Direction::recvonly);
}

TEST(NegotiationAcceptAnswer, RejectedOrForeignAnswersFail) {
  const LocalMedia local = local_media();
  const auto failure = [&](std::string_view sdp) {
    const auto result = accept_answer(sdp, local);
    return std::holds_alternative<Failure>(result) ? std::get<Failure>(result)
                                                   : static_cast<Failure>(-1);
  };
  EXPECT_EQ(failure(offer_with("m=audio 0 RTP/AVP 0\r\n")), Failure::no_common_codec);
  EXPECT_EQ(failure(offer_with("m=audio 7000 RTP/AVP 18\r\n")), Failure::no_common_codec);
  EXPECT_EQ(failure(offer_with("m=audio 7000 RTP/SAVP 0\r\n")), Failure::no_audio);
  EXPECT_EQ(failure(offer_with("m=video 7000 RTP/AVP 99\r\n")), Failure::malformed);
  EXPECT_EQ(failure(offer_with("")), Failure::malformed);
  EXPECT_EQ(failure("garbage"), Failure::malformed);
}

TEST(NegotiationDescribe, EveryFailureHasAMessage) {
  for (Failure f : {Failure::malformed, Failure::no_audio, Failure::no_common_codec}) {
    EXPECT_GT(std::string(describe(f)).size(), 5u);
  }
}

}  // namespace
}  // namespace irisx::voice::sdp
