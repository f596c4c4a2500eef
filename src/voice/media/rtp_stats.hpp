#pragma once
// Receiver statistics for one incoming RTP stream: RFC 3550 Appendix A.1 (sequence validation),
// A.3 (expected and lost packets), A.8 (interarrival jitter), the report block they feed
// (§6.4.1) and a call-quality summary for the CDR. 144 bytes per leg; no allocation.
#include <cstddef>
#include <cstdint>

#include "voice/media/rtcp.hpp"
#include "voice/media/rtp_packet.hpp"

namespace irisx::voice::media {

struct Quality {
  std::uint64_t packets_received = 0;  // every packet fed in, duplicates and probation included
  std::uint64_t packets_lost = 0;      // expected minus received (duplicates not counted)
  double loss_percent = 0;
  double jitter_ms = 0;  // current interarrival jitter
  double max_jitter_ms = 0;
  double mos = 0;  // E-model estimate, 1..4.5
};

// Simplified ITU-T G.107 E-model for G.711 (see rtp_stats.cpp): one-way delay and random
// packet loss only.
double estimate_mos(double loss_percent, double one_way_delay_ms);

class ReceiverStats {
 public:
  // RFC 3550 A.1 defaults.
  static constexpr int kMinSequential = 2;
  static constexpr std::uint16_t kMaxDropout = 3000;
  static constexpr std::uint16_t kMaxMisorder = 100;

  // `arrival_rtp_units` is the local arrival time on the stream's clock (8 kHz for G.711),
  // from any origin. `payload_octets` feeds the octet counter.
  void update(const RtpHeader& header, std::uint32_t arrival_rtp_units,
              std::size_t payload_octets = 0);
  // The remote's last SR (§6.4.1 LSR/DLSR): its NTP timestamp and our arrival time.
  void on_sender_report(std::uint64_t ntp_timestamp, std::uint32_t arrival_rtp_units);

  // A report block about the current source for our next SR/RR. Starts a new interval for
  // fraction_lost (A.3), so call it once per report. The second form also fills LSR/DLSR.
  ReportBlock make_report_block(std::uint32_t ssrc);
  ReportBlock make_report_block(std::uint32_t ssrc, std::uint32_t now_rtp_units);

  // Over the whole call (all sources). `rtt_ms` from RTCP (0 when unknown) and the jitter
  // buffer's delay give the one-way delay for the MOS estimate.
  Quality summary(double rtt_ms = 0, double jitter_buffer_ms = 0) const;

  std::uint32_t ssrc() const { return ssrc_; }
  bool valid() const { return have_source_ && probation_ == 0; }
  std::uint64_t packets_received() const { return packets_; }
  std::uint64_t octets_received() const { return octets_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t out_of_order() const { return out_of_order_; }
  std::uint32_t extended_highest_sequence() const { return cycles_ + max_seq_; }
  std::int64_t expected() const;
  std::int64_t lost() const;  // A.3; negative when duplicates outnumber loss
  std::uint32_t jitter() const { return jitter_ >> 4; }  // timestamp units

 private:
  enum class Sequence { counted, duplicate, discarded };
  void start_source(const RtpHeader& header);
  void init_sequence(std::uint16_t seq);
  Sequence update_sequence(std::uint16_t seq);
  void update_jitter(std::uint32_t timestamp, std::uint32_t arrival);

  bool have_source_ = false;
  std::uint32_t ssrc_ = 0;
  // A.1 source state.
  std::uint16_t max_seq_ = 0;
  std::uint32_t cycles_ = 0;  // shifted count of wraps
  std::uint32_t base_seq_ = 0;
  std::uint32_t bad_seq_ = 0;
  int probation_ = 0;
  std::uint32_t received_ = 0;
  std::uint32_t expected_prior_ = 0;
  std::uint32_t received_prior_ = 0;
  // A.8 jitter, scaled by 16 as in the RFC's integer form.
  bool have_transit_ = false;
  std::int32_t transit_ = 0;
  std::uint32_t jitter_ = 0;
  std::uint32_t max_jitter_ = 0;
  std::uint32_t last_timestamp_ = 0;
  // Recent sequence numbers below the highest, for duplicate detection: bit i = max_seq_ - i.
  std::uint64_t seen_ = 0;
  // LSR/DLSR.
  bool have_sr_ = false;
  std::uint32_t last_sr_ = 0;
  std::uint32_t last_sr_arrival_ = 0;
  // Whole-call counters, including sources before an SSRC change.
  std::uint64_t packets_ = 0;
  std::uint64_t octets_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t out_of_order_ = 0;
  std::int64_t prior_sources_expected_ = 0;
  std::int64_t prior_sources_received_ = 0;
  std::uint64_t source_duplicates_ = 0;
};

}  // namespace irisx::voice::media
