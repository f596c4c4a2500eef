#include "store/migrations.hpp"

#include <set>

#include "common/time.hpp"

namespace irisx::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "identity", R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  suspended_at BIGINT,
  suspended_reason TEXT
);
CREATE INDEX tenants_created ON tenants (created_at, id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_login_at BIGINT
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_tenant ON users (tenant_id, created_at, id);

CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  mode TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  last_four TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at, id);

CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_login_at BIGINT
);

CREATE TABLE operator_sessions (
  id TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL REFERENCES operators (id),
  token_hash TEXT NOT NULL UNIQUE,
  ip TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  tenant_id TEXT,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT,
  target_id TEXT,
  ip TEXT,
  request_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_at, id);
CREATE INDEX audit_log_created ON audit_log (created_at, id);

CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
)sql",
       "", ""},
      {2, "events_bus_webhooks", R"sql(
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, created_at, id);
CREATE INDEX events_tenant_type ON events (tenant_id, type, created_at, id);
CREATE INDEX events_created ON events (created_at);

-- Embedded bus: one row per (consumer, message) until it is acked.
CREATE TABLE bus_messages (
  consumer TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  visible_at BIGINT NOT NULL,
  lease TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (consumer, msg_id)
);
CREATE INDEX bus_messages_due ON bus_messages (consumer, visible_at);

-- NATS bus: committed messages the relay has not yet had acknowledged by JetStream.
CREATE TABLE bus_outbox (
  msg_id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX bus_outbox_created ON bus_outbox (created_at, msg_id);

CREATE TABLE bus_dead_letters (
  id TEXT PRIMARY KEY,
  consumer TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX bus_dead_letters_created ON bus_dead_letters (created_at, id);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  url TEXT NOT NULL,
  description TEXT NOT NULL,
  events TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  disabled_reason TEXT,
  secret_sealed TEXT NOT NULL,
  previous_secret_sealed TEXT,
  previous_secret_expires_at BIGINT,
  failing_since BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at, id);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  lease_until BIGINT,
  next_attempt_at BIGINT,
  last_status_code INTEGER,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

CREATE TABLE webhook_attempts (
  id TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status_code INTEGER,
  duration_ms BIGINT NOT NULL,
  response_excerpt TEXT,
  error TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
)sql",
       "", ""},
      {3, "call_records", R"sql(
CREATE TABLE call_records (
  id TEXT PRIMARY KEY,
  tenant_id TEXT,
  direction TEXT NOT NULL,
  from_uri TEXT NOT NULL,
  to_uri TEXT NOT NULL,
  sip_call_id TEXT NOT NULL,
  transport TEXT NOT NULL,
  codec TEXT,
  hangup_cause TEXT NOT NULL,
  sip_status INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  answered_at BIGINT,
  ended_at BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  billable_s BIGINT NOT NULL,
  packets_received BIGINT NOT NULL,
  packets_sent BIGINT NOT NULL,
  packets_lost BIGINT NOT NULL,
  loss_percent REAL NOT NULL,
  jitter_ms REAL NOT NULL,
  mos REAL NOT NULL,
  recording TEXT,
  digits TEXT NOT NULL,
  rtt_ms REAL,
  remote_packets_lost BIGINT,
  remote_jitter_ms REAL
);
CREATE INDEX call_records_started ON call_records (started_at, id);
CREATE INDEX call_records_tenant ON call_records (tenant_id, started_at, id);
)sql",
       "", ""},
      // The registrar (src/voice/registrar): digest credentials as HA1 only, and the location
      // service of RFC 3261 §10.3. Bindings are ephemeral, so no foreign keys on them.
      {4, "sip_registrar", R"sql(
CREATE TABLE sip_credentials (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  extension TEXT NOT NULL,
  realm TEXT NOT NULL,
  ha1_md5 TEXT NOT NULL,
  ha1_sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, extension)
);
CREATE INDEX sip_credentials_realm ON sip_credentials (realm, extension);

CREATE TABLE sip_bindings (
  tenant_id TEXT NOT NULL,
  extension TEXT NOT NULL,
  contact_uri TEXT NOT NULL,
  source TEXT NOT NULL,
  transport TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  call_id TEXT NOT NULL,
  cseq BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  instance TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, extension, contact_uri)
);
CREATE INDEX sip_bindings_expiry ON sip_bindings (expires_at);
)sql",
       "", ""},
      // A tenant's phone numbers (src/voice/numbers). A DID reaches one tenant platform-wide,
      // so `number` is unique across tenants: inbound routing finds the tenant from the row.
      // The credentials index serves the API's newest-first listing of a tenant's extensions.
      {5, "phone_numbers", R"sql(
CREATE TABLE phone_numbers (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  number TEXT NOT NULL UNIQUE,
  voice_application TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX phone_numbers_tenant ON phone_numbers (tenant_id, created_at, id);
CREATE INDEX sip_credentials_tenant ON sip_credentials (tenant_id, created_at, id);
)sql",
       "", ""},
      // Legs the engine places (trunk calls, extension forks) name their trunk or extension
      // and the call they were dialled for (Twilio's parent call).
      {6, "call_record_legs", R"sql(
ALTER TABLE call_records ADD COLUMN trunk TEXT;
ALTER TABLE call_records ADD COLUMN extension TEXT;
ALTER TABLE call_records ADD COLUMN parent_call_id TEXT;
CREATE INDEX call_records_parent ON call_records (parent_call_id);
)sql",
       "", ""},
      // Per-resource status callbacks (Twilio's StatusCallback): a number's URL, the hidden
      // per-tenant "callbacks" endpoint that holds the callback signing secret, and a delivery's
      // own URL (NULL: its endpoint's). The partial index keeps one callbacks endpoint a tenant.
      {7, "status_callbacks", R"sql(
ALTER TABLE phone_numbers ADD COLUMN status_callback TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'events';
ALTER TABLE webhook_deliveries ADD COLUMN url TEXT;
CREATE UNIQUE INDEX webhook_endpoints_callbacks ON webhook_endpoints (tenant_id)
  WHERE kind = 'callbacks';
)sql",
       "", ""},
      // PostgreSQL: a delivery row is updated twice per attempt (lease claim, outcome) in
      // columns no index covers; room left on each page lets those be heap-only (HOT) updates
      // instead of new index entries in all three of its indexes. SQLite updates in place.
      {8, "delivery_fillfactor", "", "", "ALTER TABLE webhook_deliveries SET (fillfactor = 70);"},
      // bus_messages is a queue: nearly empty one moment, tens of thousands of rows the next.
      // PostgreSQL plans from the statistics its last (auto)vacuum or ANALYZE took, so after
      // one that saw the queue drained it believes the table holds about one row and ranks
      // every usable index alike; with both indexes led by `consumer` it took the due index for
      // lookups by message (an ack walked all of a consumer's rows) and rescanned a claim's
      // subquery per row (one claim took 10.6 s with 8,300 rows due). Keyed by msg_id first,
      // and with the due index on visible_at alone, a lookup by message can use only the
      // primary key whatever the statistics say. SQLite cannot change a primary key in place,
      // so it copies the table.
      {9, "bus_queue_keys", "",
       R"sql(
CREATE TABLE bus_messages_rekeyed (
  consumer TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  visible_at BIGINT NOT NULL,
  lease TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (msg_id, consumer)
);
INSERT INTO bus_messages_rekeyed (consumer, msg_id, subject, payload, attempts, visible_at, lease,
  created_at)
  SELECT consumer, msg_id, subject, payload, attempts, visible_at, lease, created_at
  FROM bus_messages;
DROP TABLE bus_messages;
ALTER TABLE bus_messages_rekeyed RENAME TO bus_messages;
CREATE INDEX bus_messages_due ON bus_messages (visible_at);
)sql",
       R"sql(
ALTER TABLE bus_messages DROP CONSTRAINT bus_messages_pkey;
ALTER TABLE bus_messages ADD PRIMARY KEY (msg_id, consumer);
DROP INDEX bus_messages_due;
CREATE INDEX bus_messages_due ON bus_messages (visible_at);
)sql"},
      // The delivery log is purged with the events it delivered (30 days), oldest first.
      {10, "delivery_purge",
       "CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);", "", ""},
  };
  return all;
}

boost::asio::awaitable<std::vector<int>> migrate(Database& db) {
  co_await db.exec_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at BIGINT NOT NULL)");
  std::set<int> applied;
  Result rows = co_await db.exec("SELECT version FROM schema_migrations");
  for (const auto& row : rows.rows) applied.insert(static_cast<int>(row.int64(0)));

  std::vector<int> done;
  for (const auto& m : migrations()) {
    if (applied.count(m.version)) continue;
    const std::string& dialect_sql =
        db.dialect() == Dialect::sqlite ? m.sqlite_sql : m.postgres_sql;
    const std::string& sql = dialect_sql.empty() ? m.sql : dialect_sql;
    // One script, one transaction: a crash leaves either all of it or none.
    std::string script = "BEGIN;\n" + sql +
                         "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                         std::to_string(m.version) + ", '" + m.name + "', " +
                         std::to_string(now_ms()) + ");\nCOMMIT;";
    co_await db.exec_script(script);
    done.push_back(m.version);
  }
  co_return done;
}

}  // namespace irisx::store
