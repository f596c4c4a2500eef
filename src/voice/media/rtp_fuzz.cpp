// libFuzzer target for everything in voice/media that reads bytes from the network. The input
// is used twice: as one datagram for the stateless parsers, and as a series of datagrams (each
// prefixed by one length byte) fed through the per-leg state a real stream drives: receiver
// statistics, the DTMF receiver and the jitter buffer. Round trips that must hold are checked.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "voice/media/g711.hpp"
#include "voice/media/jitter_buffer.hpp"
#include "voice/media/rtcp.hpp"
#include "voice/media/rtp_packet.hpp"
#include "voice/media/rtp_stats.hpp"
#include "voice/media/telephone_event.hpp"

namespace {

using namespace irisx::voice::media;

void check(bool condition) {
  if (!condition) std::abort();
}

void stateless(std::span<const std::uint8_t> datagram) {
  if (const auto rtcp = parse_rtcp(datagram)) {
    check(rtcp->block_count <= kMaxReportBlocks && rtcp->bye_count <= kMaxByeSources);
    // Whatever we read back must be writable and read back the same.
    if (!rtcp->cname.empty()) {
      ReportInput input;
      input.ssrc = rtcp->sender_ssrc;
      input.sender = rtcp->sender_info;
      input.blocks = rtcp->reports();
      input.cname = rtcp->cname;
      std::array<std::uint8_t, 1500> out{};
      const std::size_t n = write_rtcp_report(input, out);
      check(n > 0);
      const auto again = parse_rtcp(std::span(out).first(n));
      check(again && again->cname == rtcp->cname && again->block_count == rtcp->block_count);
      for (const ReportBlock& block : again->reports()) (void)round_trip_time(0x12345678, block);
    }
  }
  if (const auto rtp = parse_rtp(datagram)) {
    check(rtp->payload.size() <= datagram.size());
    std::array<std::uint8_t, 2048> out{};
    const std::size_t n = write_rtp(rtp->header, rtp->payload, out);
    if (n > 0) {
      const auto again = parse_rtp(std::span(out).first(n));
      check(again && again->header.sequence == rtp->header.sequence &&
            again->header.timestamp == rtp->header.timestamp &&
            again->payload.size() == rtp->payload.size());
    }
    std::array<std::int16_t, 2048> pcm{};
    decode(irisx::voice::Codec::pcmu, rtp->payload, pcm);
    std::array<std::uint8_t, 2048> alaw{};
    transcode(irisx::voice::Codec::pcmu, irisx::voice::Codec::pcma, rtp->payload, alaw);
  }
  if (const auto event = parse_telephone_event(datagram)) {
    std::array<std::uint8_t, kTelephoneEventSize> out{};
    check(write_telephone_event(*event, out) == kTelephoneEventSize);
    (void)event_to_digit(event->event);
  }
  (void)looks_like_rtcp(datagram);
}

void stateful(std::span<const std::uint8_t> input) {
  ReceiverStats stats;
  DtmfReceiver dtmf;
  JitterBuffer jitter(2);
  std::uint32_t arrival = 0;
  while (!input.empty()) {
    const std::size_t length = std::min<std::size_t>(input[0], input.size() - 1);
    const auto datagram = input.subspan(1, length);
    input = input.subspan(1 + length);
    arrival += 160 + (length % 7) * 20;
    if (looks_like_rtcp(datagram)) {
      if (const auto rtcp = parse_rtcp(datagram)) {
        if (rtcp->sender_info) stats.on_sender_report(rtcp->sender_info->ntp_timestamp, arrival);
      }
      continue;
    }
    const auto rtp = parse_rtp(datagram);
    if (!rtp) continue;
    stats.update(rtp->header, arrival, rtp->payload.size());
    if (rtp->header.payload_type == 101) (void)dtmf.on_packet(rtp->header, rtp->payload);
    (void)jitter.push(rtp->header, rtp->payload);
    for (int pops = rtp->header.sequence % 3; pops > 0; --pops) {
      const auto frame = jitter.pop();
      check(frame.payload.size() <= JitterBuffer::kMaxFrameBytes);
    }
    check(jitter.size() <= JitterBuffer::kCapacity);
  }
  (void)stats.make_report_block(1, arrival);
  const auto quality = stats.summary(50, 40);
  check(quality.mos >= 1.0 && quality.mos <= 4.5 && quality.loss_percent >= 0 &&
        quality.loss_percent <= 100);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  stateless(input);
  stateful(input);
  return 0;
}
