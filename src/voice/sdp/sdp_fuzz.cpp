// libFuzzer target for the SDP parser and offer/answer (STYLE.md 13). Besides "no crash, no
// sanitizer report" it checks the properties the rest of the engine relies on:
//   - whatever parse() accepts, serialize() writes as SDP that parse() accepts again, and
//     serializing that second parse gives the same text (the writer is a fixed point);
//   - an answer we produce parses and has exactly as many m-lines as the offer (RFC 3264 §6).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "voice/sdp/negotiation.hpp"
#include "voice/sdp/sdp.hpp"

namespace {

namespace sdp = irisx::voice::sdp;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "sdp_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sdp::ParseResult first = sdp::parse(text);
  const auto* description = std::get_if<sdp::Description>(&first);
  if (description) {
    const std::string written = sdp::serialize(*description);
    const sdp::ParseResult second = sdp::parse(written);
    const auto* reparsed = std::get_if<sdp::Description>(&second);
    // Bare-LF input grows by a byte a line, so only text beyond the size limit may be refused.
    if (!reparsed && written.size() <= sdp::kMaxSdpBytes) fail("serialized SDP does not parse");
    if (reparsed) {
      if (sdp::serialize(*reparsed) != written) fail("serialize is not a fixed point");
      if (reparsed->media.size() != description->media.size()) fail("m-lines lost");
    }
  }

  sdp::LocalMedia local;
  local.address = "192.0.2.10";
  local.rtp_port = 40000;
  local.session_id = 1;
  local.session_version = 1;
  const auto answer = sdp::answer_offer(text, local);
  if (const auto* a = std::get_if<sdp::Answer>(&answer)) {
    const sdp::ParseResult parsed = sdp::parse(a->sdp);
    const auto* answer_description = std::get_if<sdp::Description>(&parsed);
    if (!answer_description) fail("our answer does not parse");
    if (!description || answer_description->media.size() != description->media.size()) {
      fail("answer does not mirror the offer's m-lines");
    }
    // Read back from the offerer's side, the answer must agree on the codec.
    if (answer_description->media.front().port != 0) {
      const auto back = sdp::accept_answer(a->sdp, local);
      const auto* n = std::get_if<sdp::Negotiated>(&back);
      if (!n || n->codec != a->negotiated.codec) fail("our own answer is not acceptable");
    }
  }
  return 0;
}
