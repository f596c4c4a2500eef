#pragma once
// Offers shaped like those real user agents send, shared by sdp_test.cpp and
// negotiation_test.cpp (addresses from the documentation ranges of RFC 5737 / RFC 3849).
#include <string_view>

namespace irisx::voice::sdp::test_offers {

// SIPp 3.6 built-in uac scenario, verbatim.
constexpr std::string_view kSipp =
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

// Linphone: wideband codecs first, static G.711 without rtpmap, telephone-event at three clock
// rates (only the 8000 one goes with G.711), session-level rtcp-xr, AVPF feedback attributes.
constexpr std::string_view kLinphone =
    "v=0\r\n"
    "o=alice 1234 5678 IN IP4 192.0.2.20\r\n"
    "s=Talk\r\n"
    "c=IN IP4 192.0.2.20\r\n"
    "t=0 0\r\n"
    "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
    "m=audio 7078 RTP/AVP 96 97 98 0 8 101 99 100\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 useinbandfec=1\r\n"
    "a=rtpmap:97 speex/16000\r\n"
    "a=fmtp:97 vbr=on\r\n"
    "a=rtpmap:98 speex/8000\r\n"
    "a=fmtp:98 vbr=on\r\n"
    "a=rtpmap:101 telephone-event/48000\r\n"
    "a=rtpmap:99 telephone-event/16000\r\n"
    "a=rtpmap:100 telephone-event/8000\r\n"
    "a=rtcp-fb:* trr-int 1000\r\n"
    "a=rtcp-fb:* ccm tmmbr\r\n";

// Zoiper: GSM and Speex ahead of PCMA, bare LF line endings, explicit sendrecv.
constexpr std::string_view kZoiper =
    "v=0\n"
    "o=Z 0 0 IN IP4 192.0.2.5\n"
    "s=Z\n"
    "c=IN IP4 192.0.2.5\n"
    "t=0 0\n"
    "m=audio 8000 RTP/AVP 3 110 8 0 98 101\n"
    "a=rtpmap:3 GSM/8000\n"
    "a=rtpmap:110 speex/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:98 iLBC/8000\n"
    "a=fmtp:98 mode=20\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=sendrecv\n";

// FreeSWITCH: comfort noise, ptime, RFC 3605 rtcp with an address.
constexpr std::string_view kFreeswitch =
    "v=0\r\n"
    "o=FreeSWITCH 1700000000 1700000001 IN IP4 203.0.113.5\r\n"
    "s=FreeSWITCH\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "t=0 0\r\n"
    "m=audio 16384 RTP/AVP 0 8 101 13\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=ptime:30\r\n"
    "a=sendrecv\r\n"
    "a=rtcp:16385 IN IP4 203.0.113.5\r\n";

// Asterisk with ICE: PCMA first, candidates before the rtpmaps, maxptime.
constexpr std::string_view kAsterisk =
    "v=0\r\n"
    "o=- 1856219582 1856219582 IN IP4 198.51.100.7\r\n"
    "s=Asterisk\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "t=0 0\r\n"
    "m=audio 10000 RTP/AVP 8 0 3 101\r\n"
    "a=ice-ufrag:5b0f2a1c\r\n"
    "a=ice-pwd:4d3c2b1a0f9e8d7c6b5a4f3e\r\n"
    "a=candidate:Hc6336407 1 UDP 2130706431 198.51.100.7 10000 typ host\r\n"
    "a=candidate:Hc6336407 2 UDP 2130706430 198.51.100.7 10001 typ host\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:3 GSM/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:150\r\n"
    "a=sendrecv\r\n";

// A video phone: video first, then audio with a media-level connection.
constexpr std::string_view kVideoAndAudio =
    "v=0\r\n"
    "o=bob 2890844527 2890844527 IN IP4 192.0.2.30\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=video 51372 RTP/AVP 99 31\r\n"
    "c=IN IP4 192.0.2.30\r\n"
    "b=AS:512\r\n"
    "a=rtpmap:99 H264/90000\r\n"
    "a=fmtp:99 profile-level-id=42e01f\r\n"
    "m=audio 49170 RTP/AVP 8 101\r\n"
    "c=IN IP4 192.0.2.31\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// IPv6 with a session-level direction.
constexpr std::string_view kIpv6 =
    "v=0\r\n"
    "o=carol 42 42 IN IP6 2001:db8::1\r\n"
    "s=-\r\n"
    "c=IN IP6 2001:db8::1\r\n"
    "t=0 0\r\n"
    "a=recvonly\r\n"
    "m=audio 20000 RTP/AVP 0\r\n";

}  // namespace irisx::voice::sdp::test_offers
