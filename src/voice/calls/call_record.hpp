#pragma once
// The call detail record of one leg, filled in as the call progresses and complete when the
// dialog has ended.
#include <cstdint>
#include <optional>
#include <string>

namespace irisx::voice {

struct LegQuality {
  std::uint64_t packets_received = 0;
  std::uint64_t packets_sent = 0;
  std::int64_t packets_lost = 0;
  double loss_percent = 0;
  double jitter_ms = 0;
  double mos = 0;
  // From the peer's RTCP reports, when it sent any: round trip and what it got of our stream.
  std::optional<double> rtt_ms;
  std::optional<std::int64_t> remote_packets_lost;
  std::optional<double> remote_jitter_ms;
};

struct CallRecord {
  std::string id;              // "CA…"
  std::string tenant_id;       // empty until routing knows it
  std::string parent_call_id;  // outbound legs dialled for another call: that call
  std::string trunk;           // the carrier trunk it went through or came from
  std::string extension;       // the registered extension it rang
  std::string direction;       // "inbound" | "outbound"
  std::string from;
  std::string to;
  std::string sip_call_id;
  std::string transport;
  std::string codec;         // "PCMU" | "PCMA", empty when no media was negotiated
  std::string hangup_cause;  // normal_clearing, originator_cancel, rejected, failed
  int sip_status = 0;
  std::int64_t started_at = 0;  // epoch ms
  std::optional<std::int64_t> answered_at;
  std::optional<std::int64_t> ended_at;
  std::string recording;  // path of the last recording, if any
  std::string digits;     // every digit the caller sent, in order
  // An inbound leg that came in on a tenant's phone number: that number (E.164) and its status
  // callback URL (empty: none), which hears call.completed when the leg ends.
  std::string number;
  std::string status_callback;
  LegQuality quality;

  std::int64_t duration_ms() const { return ended_at ? *ended_at - started_at : 0; }
  // Rounded up to whole seconds from answer, as carriers bill.
  std::int64_t billable_s() const {
    if (!answered_at || !ended_at) return 0;
    return (*ended_at - *answered_at + 999) / 1000;
  }
};

}  // namespace irisx::voice
