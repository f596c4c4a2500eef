#include "voice/media/telephone_event.hpp"

#include <algorithm>

#include "voice/codec.hpp"
#include "voice/media/byte_io.hpp"

namespace irisx::voice::media {

std::optional<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> payload) {
  if (payload.size() < kTelephoneEventSize) return std::nullopt;
  TelephoneEvent event;
  event.event = payload[0];
  event.end = (payload[1] & 0x80) != 0;
  event.volume = static_cast<std::uint8_t>(payload[1] & 0x3F);
  event.duration = detail::load16(payload.data() + 2);
  return event;
}

std::size_t write_telephone_event(const TelephoneEvent& event, std::span<std::uint8_t> out) {
  if (out.size() < kTelephoneEventSize) return 0;
  out[0] = event.event;
  out[1] = static_cast<std::uint8_t>((event.end ? 0x80 : 0) | (event.volume & 0x3F));
  detail::store16(out.data() + 2, event.duration);
  return kTelephoneEventSize;
}

char event_to_digit(int event) {
  if (event >= 0 && event <= 9) return static_cast<char>('0' + event);
  switch (event) {
    case 10:
      return '*';
    case 11:
      return '#';
    case 12:
    case 13:
    case 14:
    case 15:
      return static_cast<char>('A' + (event - 12));
    default:
      return '\0';
  }
}

std::optional<int> digit_to_event(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit == '*') return 10;
  if (digit == '#') return 11;
  if (digit >= 'A' && digit <= 'D') return 12 + (digit - 'A');
  if (digit >= 'a' && digit <= 'd') return 12 + (digit - 'a');
  return std::nullopt;
}

// RFC 4733 §2.5.1.3: an event longer than the 16-bit duration is sent as segments, the next
// starting at the previous timestamp plus its duration, without an end bit in between. That
// is the same key still held, not a new press. One frame of slack absorbs senders that round.
bool DtmfReceiver::is_continuation(const TelephoneEvent& event, std::uint32_t timestamp) const {
  if (ended_ || event.event != event_) return false;
  const std::uint32_t expected = timestamp_ + duration_;
  const std::uint32_t distance =
      timestamp >= expected ? timestamp - expected : expected - timestamp;
  return duration_ >= 0xFFFF - kFrameSamples && distance <= kFrameSamples;
}

std::optional<char> DtmfReceiver::on_packet(const RtpHeader& header,
                                            std::span<const std::uint8_t> payload) {
  const auto event = parse_telephone_event(payload);
  if (!event) return std::nullopt;
  if (have_event_ && header.ssrc != ssrc_) have_event_ = false;  // a new source restarts

  if (have_event_) {
    if (header.timestamp == timestamp_) {  // update, end or retransmitted end of this event
      if (!ended_) duration_ = std::max(duration_, event->duration);
      ended_ = ended_ || event->end;
      return std::nullopt;
    }
    // Unsigned distance back from the current event: a late packet of an earlier press.
    if (timestamp_ - header.timestamp <= late_window_) return std::nullopt;
    if (is_continuation(*event, header.timestamp)) {
      timestamp_ = header.timestamp;
      duration_ = event->duration;
      ended_ = event->end;
      return std::nullopt;
    }
  }

  have_event_ = true;
  ssrc_ = header.ssrc;
  timestamp_ = header.timestamp;
  event_ = event->event;
  duration_ = event->duration;
  ended_ = event->end;
  const char digit = event_to_digit(event->event);
  if (digit == '\0') return std::nullopt;  // tones and other events are tracked, not reported
  return digit;
}

bool DtmfSender::start(char digit, int duration_ms, std::uint32_t timestamp) {
  const auto event = digit_to_event(digit);
  if (!event) return false;
  constexpr int kSamplesPerMs = kSampleRate / 1000;
  const int ms = std::clamp(duration_ms, 2 * kFrameMs, 8000);
  event_ = static_cast<std::uint8_t>(*event);
  timestamp_ = timestamp;
  total_ = static_cast<std::uint32_t>(ms * kSamplesPerMs);
  elapsed_ = 0;
  first_ = true;
  remaining_ends_ = 3;
  return true;
}

std::optional<TelephoneEventPacket> DtmfSender::next() {
  if (remaining_ends_ == 0) return std::nullopt;
  TelephoneEventPacket packet;
  packet.marker = first_;  // RFC 4733 §2.5.1.2: marker on the first packet of the event
  first_ = false;
  packet.timestamp = timestamp_;
  packet.event.event = event_;
  packet.event.volume = volume_;
  elapsed_ = std::min(elapsed_ + kFrameSamples, total_);
  if (elapsed_ < total_) {
    packet.event.duration = static_cast<std::uint16_t>(elapsed_);
  } else {
    packet.event.end = true;
    packet.event.duration = static_cast<std::uint16_t>(total_);
    --remaining_ends_;
  }
  return packet;
}

std::vector<TelephoneEventPacket> DtmfSender::plan(char digit, int duration_ms,
                                                   std::uint32_t timestamp, std::uint8_t volume) {
  std::vector<TelephoneEventPacket> packets;
  DtmfSender sender(volume);
  if (!sender.start(digit, duration_ms, timestamp)) return packets;
  while (auto packet = sender.next()) packets.push_back(*packet);
  return packets;
}

}  // namespace irisx::voice::media
