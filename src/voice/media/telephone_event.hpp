#pragma once
// RFC 4733 telephone-events (DTMF carried in RTP, ex-RFC 2833): the 4-byte payload, a receiver
// that turns a packet series into one digit per key press, and a sender that produces the
// series for a digit.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "voice/media/rtp_packet.hpp"

namespace irisx::voice::media {

// RFC 4733 §2.3: event (8 bits), E (end), R (reserved), volume (6 bits, -dBm0), duration (16
// bits, in RTP timestamp units since the event's timestamp).
struct TelephoneEvent {
  std::uint8_t event = 0;
  bool end = false;
  std::uint8_t volume = 0;  // 0..63
  std::uint16_t duration = 0;
};

inline constexpr std::size_t kTelephoneEventSize = 4;

// Reads the first event of the payload; nullopt when shorter than 4 bytes.
std::optional<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> payload);
// Returns 4, or 0 when `out` is too small. volume is masked to 6 bits, R is sent as 0.
std::size_t write_telephone_event(const TelephoneEvent& event, std::span<std::uint8_t> out);

// RFC 4733 §3.2 DTMF events 0–15: '0'–'9', '*', '#', 'A'–'D'. event_to_digit returns '\0' for
// anything else; digit_to_event accepts 'a'–'d' too.
char event_to_digit(int event);
std::optional<int> digit_to_event(char digit);

// Turns the telephone-event packets of one stream into digits, each exactly once. RFC 4733
// §2.5.1.3: all packets of one event carry the event's start timestamp, so a new timestamp is
// a new key press (two presses of the same key differ by timestamp). The digit is reported on
// the first packet seen of an event (the start may be lost; the end packets may be all that
// arrive); updates, the end packet and its retransmissions (§2.5.1.4) are then ignored, and so
// are late packets of earlier events.
class DtmfReceiver {
 public:
  // A packet whose timestamp lies up to `late_window` units behind the current event is a late
  // packet of an earlier event; further back means the sender restarted its timestamps, and
  // it counts as new. 10 s at 8 kHz by default, more than any key press lasts.
  explicit DtmfReceiver(std::uint32_t late_window = 10 * 8000) : late_window_(late_window) {}

  std::optional<char> on_packet(const RtpHeader& header, std::span<const std::uint8_t> payload);
  void reset() { have_event_ = false; }

 private:
  bool is_continuation(const TelephoneEvent& event, std::uint32_t timestamp) const;

  std::uint32_t late_window_;
  bool have_event_ = false;
  bool ended_ = false;
  std::uint8_t event_ = 0;
  std::uint16_t duration_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint32_t ssrc_ = 0;
};

// One packet of a telephone-event series: the RTP fields that the socket layer does not own
// (it assigns sequence numbers and SSRC) plus the payload fields.
struct TelephoneEventPacket {
  bool marker = false;
  std::uint32_t timestamp = 0;
  TelephoneEvent event;
};

// RFC 4733 §2.5.1: the first packet has the marker bit, then one update every 20 ms with the
// duration so far, then 3 end packets with the same final duration (§2.5.1.4). All share the
// timestamp of the event's start. Durations are clamped to 40 ms–8 s, which keeps a press
// within one 16-bit duration (no long-event segments, §2.5.1.3).
class DtmfSender {
 public:
  explicit DtmfSender(std::uint8_t volume = 10) : volume_(volume) {}

  // Starts a press; false when `digit` is not DTMF.
  bool start(char digit, int duration_ms, std::uint32_t timestamp);
  // The next packet, to be sent 20 ms after the previous one; nullopt once the press is over.
  std::optional<TelephoneEventPacket> next();
  bool active() const { return remaining_ends_ > 0; }

  // The whole series at once (empty for a non-DTMF character).
  static std::vector<TelephoneEventPacket> plan(char digit, int duration_ms,
                                                std::uint32_t timestamp, std::uint8_t volume = 10);

 private:
  std::uint8_t volume_;
  std::uint8_t event_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint32_t total_ = 0;    // final duration, timestamp units
  std::uint32_t elapsed_ = 0;  // duration carried by the last update
  bool first_ = false;
  int remaining_ends_ = 0;
};

}  // namespace irisx::voice::media
