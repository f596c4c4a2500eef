#include "voice/sdp/sdp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "voice/sdp/test_offers.hpp"

namespace irisx::voice::sdp {
namespace {

namespace offers = test_offers;

Description parsed(std::string_view text) {
  ParseResult result = parse(text);
  if (const auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "unexpected parse error: " << error->message;
    return {};
  }
  return std::get<Description>(std::move(result));
}

std::string error_of(std::string_view text) {
  const ParseResult result = parse(text);
  if (const auto* error = std::get_if<ParseError>(&result)) return error->message;
  ADD_FAILURE() << "parsed, but expected an error:\n" << text;
  return {};
}

constexpr std::string_view kHead = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n";

std::string with_head(std::string_view rest) {
  return std::string(kHead) + std::string(rest);
}

TEST(SdpParse, ReadsSippDefaultOffer) {
  const Description d = parsed(offers::kSipp);
  EXPECT_EQ(d.origin.username, "user1");
  EXPECT_EQ(d.origin.session_id, "53655765");
  EXPECT_EQ(d.origin.session_version, "2353687637");
  EXPECT_EQ(d.origin.address_type, "IP4");
  EXPECT_EQ(d.origin.address, "127.0.0.1");
  EXPECT_EQ(d.session_name, "-");
  EXPECT_EQ(d.connection, "127.0.0.1");
  EXPECT_EQ(d.timing, "0 0");
  ASSERT_EQ(d.media.size(), 1u);
  const Media& m = d.media[0];
  EXPECT_EQ(m.type, "audio");
  EXPECT_EQ(m.port, 6000);
  EXPECT_EQ(m.protocol, "RTP/AVP");
  EXPECT_EQ(m.formats, std::vector<std::string>{"0"});
  ASSERT_NE(m.rtpmap(0), nullptr);
  EXPECT_EQ(*m.rtpmap(0), (RtpMap{0, "PCMU", 8000, 1}));
  EXPECT_FALSE(m.direction);
}

TEST(SdpParse, AcceptsBareLineFeedsAndTrailingWhitespace) {
  const Description d =
      parsed("v=0 \no=- 1 1 IN IP4 192.0.2.1\t\ns=x  \r\nm=audio 4000 RTP/AVP 0 \n");
  EXPECT_EQ(d.session_name, "x");
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_EQ(d.media[0].formats, std::vector<std::string>{"0"});
}

TEST(SdpParse, ToleratesMissingFinalNewlineAndBlankLines) {
  const Description d = parsed(with_head("\r\nm=audio 4000 RTP/AVP 8\r\n\r\na=sendonly"));
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_EQ(d.media[0].direction, Direction::sendonly);
}

TEST(SdpParse, ReadsRtpmapFmtpPtimeAndRtcpAddress) {
  const Media m = parsed(offers::kFreeswitch).media.at(0);
  EXPECT_EQ(m.formats, (std::vector<std::string>{"0", "8", "101", "13"}));
  ASSERT_EQ(m.rtpmaps.size(), 4u);
  EXPECT_EQ(m.rtpmaps[2], (RtpMap{101, "telephone-event", 8000, 1}));
  ASSERT_NE(m.fmtp(101), nullptr);
  EXPECT_EQ(*m.fmtp(101), "0-16");
  EXPECT_EQ(m.fmtp(0), nullptr);
  EXPECT_EQ(m.ptime, 30);
  EXPECT_EQ(m.direction, Direction::sendrecv);
  EXPECT_EQ(m.rtcp_port, 16385);
  EXPECT_EQ(m.rtcp_address, "203.0.113.5");
  EXPECT_TRUE(m.attributes.empty());
}

TEST(SdpParse, ReadsRtcpPortWithoutAddress) {
  const Media m = parsed(with_head("m=audio 4000 RTP/AVP 0\r\na=rtcp:4001\r\n")).media.at(0);
  EXPECT_EQ(m.rtcp_port, 4001);
  EXPECT_FALSE(m.rtcp_address);
}

TEST(SdpParse, ReadsChannelsAndDefaultsThemToOne) {
  const Media m = parsed(offers::kLinphone).media.at(0);
  EXPECT_EQ(m.rtpmap(96)->channels, 2);
  EXPECT_EQ(m.rtpmap(97)->channels, 1);
  EXPECT_EQ(m.rtpmap(0), nullptr);  // static payload types need no rtpmap (RFC 3551 §6)
}

TEST(SdpParse, KeepsIceAndOtherUnknownAttributesInOrder) {
  const Description d = parsed(offers::kAsterisk);
  const Media& m = d.media.at(0);
  ASSERT_EQ(m.attributes.size(), 4u);
  EXPECT_EQ(m.attributes[0].name, "ice-ufrag");
  EXPECT_EQ(m.attributes[0].value, "5b0f2a1c");
  EXPECT_EQ(m.attributes[1].name, "ice-pwd");
  EXPECT_EQ(m.attributes[2].name, "candidate");
  EXPECT_EQ(m.attributes[2].value, "Hc6336407 1 UDP 2130706431 198.51.100.7 10000 typ host");
  EXPECT_EQ(m.attributes[3].value, "Hc6336407 2 UDP 2130706430 198.51.100.7 10001 typ host");
  EXPECT_EQ(m.maxptime, 150);
  ASSERT_NE(m.attribute("ice-pwd"), nullptr);
  EXPECT_EQ(m.attribute("ice-lite"), nullptr);
}

TEST(SdpParse, KeepsSessionLevelAttributesAndFlags) {
  const Description d =
      parsed(with_head("a=ice-lite\r\na=group:BUNDLE 0\r\nm=audio 1 RTP/AVP 0\r\n"));
  ASSERT_EQ(d.attributes.size(), 2u);
  EXPECT_EQ(d.attributes[0].name, "ice-lite");
  EXPECT_EQ(d.attributes[0].value, "");
  EXPECT_EQ(d.attributes[1].value, "BUNDLE 0");
}

TEST(SdpParse, SessionDirectionIsTheDefaultAndMediaOverridesIt) {
  const Description d = parsed(
      with_head("a=sendonly\r\nm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\na=inactive\r\n"));
  EXPECT_EQ(d.direction, Direction::sendonly);
  EXPECT_EQ(d.media[0].effective_direction(d.direction), Direction::sendonly);
  EXPECT_EQ(d.media[1].effective_direction(d.direction), Direction::inactive);
}

TEST(SdpParse, ReadsIpv6Connection) {
  const Description d = parsed(offers::kIpv6);
  EXPECT_EQ(d.origin.address_type, "IP6");
  EXPECT_EQ(d.connection, "2001:db8::1");
  EXPECT_EQ(d.direction, Direction::recvonly);
}

TEST(SdpParse, MediaConnectionAndBandwidthBelongToTheirSection) {
  const Description d = parsed(offers::kVideoAndAudio);
  EXPECT_FALSE(d.connection);
  ASSERT_EQ(d.media.size(), 2u);
  EXPECT_EQ(d.media[0].connection, "192.0.2.30");
  EXPECT_EQ(d.media[0].bandwidths, std::vector<std::string>{"AS:512"});
  EXPECT_EQ(d.media[1].connection, "192.0.2.31");
  EXPECT_TRUE(d.media[1].bandwidths.empty());
}

TEST(SdpParse, ReadsPortCountAndDropsMulticastTtl) {
  const Description d =
      parsed(with_head("c=IN IP4 224.2.1.1/127\r\nm=audio 49170/2 RTP/AVP 0\r\n"));
  EXPECT_EQ(d.connection, "224.2.1.1");
  EXPECT_EQ(d.media[0].port, 49170);
  EXPECT_EQ(d.media[0].port_count, 2);
}

TEST(SdpParse, IgnoresUnknownLineTypes) {
  const Description d =
      parsed(with_head("i=info\r\nu=http://x\r\ne=a@b\r\np=+1\r\nz=0 0\r\nk=clear:x\r\nx=what\r\n"
                       "m=audio 1 RTP/AVP 0\r\ni=media title\r\ny=unknown\r\n"));
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_TRUE(d.media[0].attributes.empty());
}

TEST(SdpParse, AcceptsMissingSessionNameAndTiming) {
  const Description d = parsed("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0\r\n");
  EXPECT_EQ(d.session_name, "");
  EXPECT_EQ(d.media.size(), 1u);
}

TEST(SdpParse, MalformedKnownAttributeIsKeptVerbatimNotInterpreted) {
  const Media m = parsed(with_head("m=audio 1 RTP/AVP 0\r\na=rtpmap:abc PCMU/8000\r\n"
                                   "a=rtpmap:0 PCMU\r\na=ptime:fast\r\na=rtcp:99999\r\n"))
                      .media.at(0);
  EXPECT_TRUE(m.rtpmaps.empty());
  EXPECT_FALSE(m.ptime);
  EXPECT_FALSE(m.rtcp_port);
  ASSERT_EQ(m.attributes.size(), 4u);
  EXPECT_EQ(m.attributes[0].name, "rtpmap");
  EXPECT_EQ(m.attributes[0].value, "abc PCMU/8000");
}

TEST(SdpParse, BlanksBeforeTheAttributeColonAreNotPartOfTheName) {
  const Media m =
      parsed(with_head("m=audio 1 RTP/AVP 0\r\na=x-foo :\r\na=x-bar :1\r\n")).media.at(0);
  ASSERT_EQ(m.attributes.size(), 2u);
  EXPECT_EQ(m.attributes[0].name, "x-foo");
  EXPECT_EQ(m.attributes[1].name, "x-bar");
  EXPECT_EQ(m.attributes[1].value, "1");
}

TEST(SdpParse, NonRtpFmtpStaysAGenericAttribute) {
  const Media m = parsed(with_head("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                   "a=fmtp:webrtc-datachannel max-message-size=65536\r\n"))
                      .media.at(0);
  EXPECT_TRUE(m.fmtps.empty());
  ASSERT_EQ(m.attributes.size(), 1u);
  EXPECT_EQ(m.attributes[0].value, "webrtc-datachannel max-message-size=65536");
}

TEST(SdpParse, ExtraSpacesBetweenFieldsAreTolerated) {
  const Description d = parsed(
      "v=0\r\no=a  1 1 IN  IP4 192.0.2.1\r\nc=IN IP4  192.0.2.2\r\n"
      "m=audio  4000  RTP/AVP  0  8\r\n");
  EXPECT_EQ(d.origin.address, "192.0.2.1");
  EXPECT_EQ(d.connection, "192.0.2.2");
  EXPECT_EQ(d.media[0].formats, (std::vector<std::string>{"0", "8"}));
}

TEST(SdpParseErrors, ErrorNamesTheLine) {
  EXPECT_EQ(error_of(with_head("m=audio x RTP/AVP 0\r\n")),
            "line 5: m= port is not a number in 0..65535");
}

TEST(SdpParseErrors, RejectsMissingOrWrongVersion) {
  error_of("");
  error_of("\r\n\r\n");
  error_of("o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n");
  error_of("v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
  error_of("v=00\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
  error_of(with_head("v=0\r\n"));  // a second description glued on
}

TEST(SdpParseErrors, RejectsMissingOrRepeatedOrigin) {
  error_of("v=0\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n");
  error_of(with_head("o=- 2 2 IN IP4 192.0.2.1\r\n"));
  error_of("v=0\r\nm=audio 1 RTP/AVP 0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
}

TEST(SdpParseErrors, RejectsLinesWithoutEqualsAtIndexOne) {
  error_of(with_head("m audio 1 RTP/AVP 0\r\n"));
  error_of(with_head("a\r\n"));
  error_of(with_head("=x\r\n"));
  error_of(with_head("ab=c\r\n"));
  error_of(with_head("M=audio 1 RTP/AVP 0\r\n"));
}

TEST(SdpParseErrors, RejectsBadPorts) {
  for (const char* port : {"x", "-1", "+5", "65536", "99999999999999999999", "6000.5", "", "1e3",
                           "6000/0", "6000/", "6000/x", "/2"}) {
    const std::string line = "m=audio " + std::string(port) + " RTP/AVP 0\r\n";
    SCOPED_TRACE(line);
    error_of(with_head(line));
  }
}

TEST(SdpParseErrors, RejectsTruncatedLines) {
  error_of(with_head("m=audio\r\n"));
  error_of(with_head("m=audio 6000\r\n"));
  error_of(with_head("m=audio 6000 RTP/AVP\r\n"));
  error_of("v=0\r\no=- 1 1 IN IP4\r\n");
  error_of(with_head("c=IN IP4\r\n"));
  error_of(with_head("c=\r\n"));
}

TEST(SdpParseErrors, RejectsConnectionsWeCannotUse) {
  error_of(with_head("c=IN IPX 192.0.2.1\r\n"));
  error_of(with_head("c=ATM NSAP 47.0005\r\n"));
  error_of(with_head("c=IN IP4 2001:db8::1\r\n"));
  error_of(with_head("c=IN IP6 192.0.2.1\r\n"));
  error_of(with_head("c=IN IP4 /127\r\n"));
  error_of(with_head("c=IN IP4 192.0.2.1 extra\r\n"));
}

TEST(SdpParseErrors, RejectsSessionLinesInsideMedia) {
  error_of(with_head("m=audio 1 RTP/AVP 0\r\ns=late\r\n"));
  error_of(with_head("m=audio 1 RTP/AVP 0\r\nt=0 0\r\n"));
}

TEST(SdpParseErrors, RejectsNulAndCarriageReturnInsideALine) {
  error_of(with_head(std::string("a=x\0y\r\n", 7)));
  error_of(with_head("a=x\ry\r\n"));
  error_of("v=0\ro=- 1 1 IN IP4 192.0.2.1\r");  // classic Mac line endings
}

TEST(SdpParseErrors, RejectsBinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage += static_cast<char>((i * 37 + 11) % 256);
  error_of(garbage);
  error_of(with_head(garbage));
}

TEST(SdpParseErrors, RejectsBodyOverTheSizeLimitWithoutReadingIt) {
  std::string huge = with_head("m=audio 1 RTP/AVP 0\r\n");
  huge.append(10 * 1024 * 1024, 'a');
  EXPECT_NE(error_of(huge).find("larger than"), std::string::npos);
  std::string just_over = with_head("");
  just_over.resize(kMaxSdpBytes + 1, '\n');
  error_of(just_over);
}

TEST(SdpParseErrors, RejectsTooManyMediaLines) {
  std::string text = with_head("");
  for (std::size_t i = 0; i < kMaxMediaLines; ++i) text += "m=audio 0 RTP/AVP 0\r\n";
  parsed(text);
  text += "m=audio 0 RTP/AVP 0\r\n";
  error_of(text);
}

TEST(SdpParseErrors, RejectsTooManyFormats) {
  std::string formats;
  for (std::size_t i = 0; i <= kMaxFormats; ++i) formats += " 0";
  error_of(with_head("m=audio 1 RTP/AVP" + formats + "\r\n"));
}

TEST(SdpParseErrors, RejectsTooManyAttributes) {
  std::string text = with_head("m=audio 1 RTP/AVP 0\r\n");
  for (std::size_t i = 0; i < kMaxAttributes; ++i) text += "a=x\r\n";
  parsed(text);
  text += "a=x\r\n";
  error_of(text);
}

TEST(SdpParseErrors, EveryPrefixOfARealOfferParsesOrFailsCleanly) {
  const std::string_view offer = offers::kAsterisk;
  for (std::size_t n = 0; n <= offer.size(); ++n) {
    const ParseResult result = parse(offer.substr(0, n));
    if (n < 4) {
      EXPECT_TRUE(std::holds_alternative<ParseError>(result)) << n;
    }
  }
}

TEST(SdpSerialize, WritesCrlfLinesInRfc4566Order) {
  Description d = parsed(
      "v=0\no=- 7 8 IN IP4 192.0.2.1\nt=0 0\nc=IN IP4 192.0.2.1\nb=AS:64\n"
      "a=sendonly\na=tool:x\nm=audio 4000/2 RTP/AVP 8 101\na=ptime:20\n"
      "a=fmtp:101 0-15\na=rtpmap:101 telephone-event/8000\na=foo\n"
      "c=IN IP6 2001:db8::2\na=rtcp:4001 IN IP6 2001:db8::2\n");
  EXPECT_EQ(serialize(d),
            "v=0\r\no=- 7 8 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nb=AS:64\r\n"
            "t=0 0\r\na=sendonly\r\na=tool:x\r\nm=audio 4000/2 RTP/AVP 8 101\r\n"
            "c=IN IP6 2001:db8::2\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
            "a=ptime:20\r\na=rtcp:4001 IN IP6 2001:db8::2\r\na=foo\r\n");
}

TEST(SdpSerialize, WritesSippOfferBackVerbatim) {
  EXPECT_EQ(serialize(parsed(offers::kSipp)), offers::kSipp);
}

TEST(SdpSerialize, FillsEmptyFieldsSoTheOutputParses) {
  Description d;
  d.media.push_back(Media{});
  d.media[0].type = "audio";
  d.media[0].protocol = "RTP/AVP";
  d.media[0].formats = {"0"};
  const std::string text = serialize(d);
  EXPECT_EQ(text.substr(0, 25), "v=0\r\no=- - - - - -\r\ns=-\r\n");
  EXPECT_TRUE(std::holds_alternative<Description>(parse(text)));
}

TEST(SdpRoundTrip, ParseOfSerializeGivesTheSameDescription) {
  for (std::string_view offer :
       {offers::kSipp, offers::kLinphone, offers::kZoiper, offers::kFreeswitch, offers::kAsterisk,
        offers::kVideoAndAudio, offers::kIpv6}) {
    SCOPED_TRACE(offer);
    const Description first = parsed(offer);
    const std::string text = serialize(first);
    EXPECT_EQ(parsed(text), first);
    EXPECT_EQ(serialize(parsed(text)), text);
  }
}

}  // namespace
}  // namespace irisx::voice::sdp
