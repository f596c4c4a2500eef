#include "voice/media/rtp_stats.hpp"

#include <algorithm>

#include "voice/codec.hpp"

namespace irisx::voice::media {
namespace {

constexpr std::uint32_t kSeqMod = 1u << 16;  // RFC 3550 A.1 RTP_SEQ_MOD
// A.8 scales jitter by 16. Clamping one transit difference keeps that sum in 32 bits when the
// sender's timestamps jump (a restart), at a value far above any real network jitter (2 s).
constexpr std::int64_t kMaxTransitDelta = 2 * kSampleRate;
constexpr double kUnitsPerMs = kSampleRate / 1000.0;

}  // namespace

// A simplified ITU-T G.107 E-model, enough to rank calls, not a full planning tool:
//   R = 93.2 - Id - Ie,eff   (R0 - Is with G.107 default values; A = 0)
//   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl + Bpl)  (random loss: BurstR = 1)
// with Ie = 0 and Bpl = 25.1 for G.711 with packet loss concealment (G.113 Appendix I), Ppl
// the loss in percent, and the delay impairment approximated (Cole and Rosenbluth) as
//   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)  for one-way delay d in ms.
// Echo, sidetone, quantising and burst loss are left out. R converts to MOS by G.107 Annex B.
double estimate_mos(double loss_percent, double one_way_delay_ms) {
  constexpr double kIe = 0;
  constexpr double kBpl = 25.1;
  const double ppl = std::clamp(loss_percent, 0.0, 100.0);
  const double d = std::max(one_way_delay_ms, 0.0);
  const double ie_eff = kIe + (95 - kIe) * ppl / (ppl + kBpl);
  const double id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0.0);
  const double r = 93.2 - id - ie_eff;
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

void ReceiverStats::update(const RtpHeader& header, std::uint32_t arrival_rtp_units,
                           std::size_t payload_octets) {
  ++packets_;
  octets_ += payload_octets;
  if (!have_source_ || header.ssrc != ssrc_) start_source(header);
  const auto outcome = update_sequence(header.sequence);
  if (outcome == Sequence::duplicate) {
    ++duplicates_;
    ++source_duplicates_;
  }
  if (outcome != Sequence::counted) return;
  // Packets sharing a timestamp (telephone-event updates, RFC 4733 §2.5.1.3) were not sampled
  // at that time, so their transit says nothing about the network.
  if (have_transit_ && header.timestamp == last_timestamp_) return;
  last_timestamp_ = header.timestamp;
  update_jitter(header.timestamp, arrival_rtp_units);
}

// RFC 3550 A.1: a new source is valid after kMinSequential packets in sequence.
void ReceiverStats::start_source(const RtpHeader& header) {
  have_source_ = true;
  ssrc_ = header.ssrc;
  init_sequence(header.sequence);
  max_seq_ = static_cast<std::uint16_t>(header.sequence - 1);
  probation_ = kMinSequential;
  have_transit_ = false;
  jitter_ = 0;
  have_sr_ = false;
}

void ReceiverStats::init_sequence(std::uint16_t seq) {
  // Keep the call-wide totals when the stream restarts (new SSRC, or A.1's resync).
  if (received_ > 0) {
    prior_sources_expected_ += expected();
    prior_sources_received_ += received_ - static_cast<std::int64_t>(source_duplicates_);
  }
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;  // so seq == bad_seq_ is false
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  source_duplicates_ = 0;
  seen_ = 1;
}

ReceiverStats::Sequence ReceiverStats::update_sequence(std::uint16_t seq) {
  const auto udelta = static_cast<std::uint16_t>(seq - max_seq_);
  if (probation_ > 0) {
    if (seq == static_cast<std::uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = seq;
      if (probation_ == 0) {
        init_sequence(seq);
        ++received_;
        return Sequence::counted;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = seq;
    }
    return Sequence::discarded;
  }
  Sequence outcome = Sequence::counted;
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap.
    if (udelta == 0) {
      outcome = Sequence::duplicate;
    } else {
      if (seq < max_seq_) cycles_ += kSeqMod;  // wrapped
      seen_ = udelta >= 64 ? 0 : seen_ << udelta;
      seen_ |= 1;
      max_seq_ = seq;
    }
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: believe it only when the next packet follows it (source restarted
    // without changing SSRC), otherwise drop it.
    if (seq != bad_seq_) {
      bad_seq_ = (seq + 1u) & (kSeqMod - 1);
      return Sequence::discarded;
    }
    init_sequence(seq);
  } else {
    // Behind the highest: reordered, or a duplicate we can tell within the last 64.
    const auto back = static_cast<std::uint16_t>(max_seq_ - seq);
    const std::uint64_t bit = back < 64 ? std::uint64_t{1} << back : 0;
    if (bit != 0 && (seen_ & bit) != 0) {
      outcome = Sequence::duplicate;
    } else {
      seen_ |= bit;
      ++out_of_order_;
    }
  }
  ++received_;  // A.1 counts duplicates as received; summary() takes them back out
  return outcome;
}

// RFC 3550 A.8, integer form: J += (|D| - J) / 16, with J kept scaled by 16.
void ReceiverStats::update_jitter(std::uint32_t timestamp, std::uint32_t arrival) {
  const auto transit = static_cast<std::int32_t>(arrival - timestamp);
  if (have_transit_) {
    std::int64_t d = static_cast<std::int32_t>(static_cast<std::uint32_t>(transit) -
                                               static_cast<std::uint32_t>(transit_));
    d = std::min<std::int64_t>(d < 0 ? -d : d, kMaxTransitDelta);
    jitter_ = static_cast<std::uint32_t>(jitter_ + d - ((jitter_ + 8) >> 4));
    max_jitter_ = std::max(max_jitter_, jitter_);
  }
  have_transit_ = true;
  transit_ = transit;
}

void ReceiverStats::on_sender_report(std::uint64_t ntp_timestamp, std::uint32_t arrival_rtp_units) {
  have_sr_ = true;
  last_sr_ = ntp_middle32(ntp_timestamp);
  last_sr_arrival_ = arrival_rtp_units;
}

std::int64_t ReceiverStats::expected() const {
  if (!valid()) return 0;
  return std::int64_t{cycles_} + max_seq_ - base_seq_ + 1;
}

std::int64_t ReceiverStats::lost() const {
  return valid() ? expected() - received_ : 0;
}

// RFC 3550 A.3 and §6.4.1.
ReportBlock ReceiverStats::make_report_block(std::uint32_t ssrc) {
  ReportBlock block{};
  block.ssrc = ssrc;
  if (!valid()) return block;
  const std::int64_t expected_now = expected();
  const auto expected_interval = static_cast<std::uint32_t>(expected_now) - expected_prior_;
  expected_prior_ = static_cast<std::uint32_t>(expected_now);
  const std::uint32_t received_interval = received_ - received_prior_;
  received_prior_ = received_;
  const std::int64_t lost_interval = std::int64_t{expected_interval} - received_interval;
  if (expected_interval != 0 && lost_interval > 0) {
    block.fraction_lost = static_cast<std::uint8_t>(
        std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255));
  }
  // §6.4.1: cumulative lost is a signed 24-bit field; clamp rather than wrap.
  block.cumulative_lost =
      static_cast<std::int32_t>(std::clamp<std::int64_t>(lost(), -0x800000, 0x7FFFFF));
  block.highest_sequence = extended_highest_sequence();
  block.jitter = jitter();
  return block;
}

ReportBlock ReceiverStats::make_report_block(std::uint32_t ssrc, std::uint32_t now_rtp_units) {
  ReportBlock block = make_report_block(ssrc);
  if (have_sr_) {
    // §6.4.1: DLSR in units of 1/65536 s since that SR arrived.
    block.last_sr = last_sr_;
    block.delay_since_last_sr = static_cast<std::uint32_t>(
        std::uint64_t{now_rtp_units - last_sr_arrival_} * 65536 / kSampleRate);
  }
  return block;
}

Quality ReceiverStats::summary(double rtt_ms, double jitter_buffer_ms) const {
  Quality q;
  q.packets_received = packets_;
  const std::int64_t expected_total = prior_sources_expected_ + expected();
  const std::int64_t received_total =
      prior_sources_received_ +
      (valid() ? received_ - static_cast<std::int64_t>(source_duplicates_) : 0);
  const std::int64_t lost_total = std::max<std::int64_t>(expected_total - received_total, 0);
  q.packets_lost = static_cast<std::uint64_t>(lost_total);
  q.loss_percent = expected_total > 0 ? 100.0 * static_cast<double>(lost_total) /
                                            static_cast<double>(expected_total)
                                      : 0.0;
  q.jitter_ms = (jitter_ >> 4) / kUnitsPerMs;
  q.max_jitter_ms = (max_jitter_ >> 4) / kUnitsPerMs;
  q.mos = estimate_mos(q.loss_percent, rtt_ms / 2 + jitter_buffer_ms);
  return q;
}

}  // namespace irisx::voice::media
