#include "voice/calls/call_records.hpp"

namespace irisx::voice {

boost::asio::awaitable<void> save_call_record(store::Session& tx, CallRecord record) {
  const std::int64_t ended_at = record.ended_at.value_or(record.started_at);
  const std::optional<std::string> codec =
      record.codec.empty() ? std::nullopt : std::optional<std::string>(record.codec);
  const std::optional<std::string> recording =
      record.recording.empty() ? std::nullopt : std::optional<std::string>(record.recording);
  auto optional_text = [](const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
  };
  const auto& q = record.quality;
  auto params =
      store::args(record.id, record.direction, record.from, record.to, record.sip_call_id,
                  record.transport, codec, record.hangup_cause, record.sip_status,
                  record.started_at, record.answered_at, ended_at, record.duration_ms(),
                  record.billable_s(), static_cast<std::int64_t>(q.packets_received),
                  static_cast<std::int64_t>(q.packets_sent), q.packets_lost, q.loss_percent,
                  q.jitter_ms, q.mos, recording, record.digits, q.rtt_ms, q.remote_packets_lost,
                  q.remote_jitter_ms, optional_text(record.tenant_id), optional_text(record.trunk),
                  optional_text(record.extension), optional_text(record.parent_call_id));
  co_await tx.exec(
      "INSERT INTO call_records (id, direction, from_uri, to_uri, sip_call_id, transport, codec, "
      "hangup_cause, sip_status, started_at, answered_at, ended_at, duration_ms, billable_s, "
      "packets_received, packets_sent, packets_lost, loss_percent, jitter_ms, mos, recording, "
      "digits, rtt_ms, remote_packets_lost, remote_jitter_ms, tenant_id, trunk, extension, "
      "parent_call_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
      "$16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)",
      std::move(params));
}

}  // namespace irisx::voice
