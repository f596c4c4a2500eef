#!/usr/bin/env bash
# What PostgreSQL alone can do with the statements of one authenticated write (POST
# /v1/api-keys: INSERTs into api_keys, audit_log and events, and the webhook fan-out SELECT), on
# irisx's own schema, in four shapes, with pgbench in pipeline mode (as irisx sends them):
#   per-write     one transaction per write
#   savepoints    20 writes per transaction, each behind a savepoint (irisx's group commit)
#   shared        20 writes per transaction, no savepoints
#   multi-row     50 writes per transaction as one multi-row INSERT per table
# Prints a table and writes it to bench/results/postgres-ceiling-<date>.md.
# Usage: bench/postgres/ceiling.sh [build/irisx] [seconds] [clients]
set -euo pipefail
bin=${1:-build/irisx}
secs=${2:-8}
clients=${3:-8}
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ $bin == /* ]] || bin="$PWD/$bin"
command -v pgbench >/dev/null || { echo "ceiling.sh: pgbench not found (apt-get install postgresql-client)" >&2; exit 1; }
work=$(mktemp -d /tmp/irisx-bench-pg-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server runs as the postgres user
out="$root/bench/results/postgres-ceiling-$(date -u +%Y-%m-%d).md"
cleanup() { "$root/tests/scripts/pg-test-server.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; rm -f "$out.tmp"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/tests/scripts/pg-test-server.sh" start "$work/pg" "$port"
url="postgres://postgres@127.0.0.1:$port/irisx"
IRISX_DATABASE_URL=$url "$bin" migrate --data-dir "$work/data" >/dev/null
psql -X -q "$url" -c "INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('tn_bench', 'Bench', 1, 1)"

# One write's rows. Ids are unique per client, transaction and row; pgbench variables are
# cast, since pipeline mode prepares every statement. No ':' inside literals: pgbench would
# take it for a variable.
ts="1764640000000 + CAST(:r AS bigint)"
uid() { echo "'$1_' || CAST(:client_id AS text) || '_' || CAST(:r AS text) || '_' || $2 || '_' || clock_timestamp()"; }
key_values() { echo "$(uid ak "$1"), 'tn_bench', 'bench key', 'live', md5(CAST(:r AS text) || $1 || clock_timestamp()) || md5(CAST(:r AS text)), 'abcd', '[\"users.read\"]', 'ak_x', $ts"; }
audit_values() { echo "$(uid au "$1"), 'tn_bench', 'api_key', 'ak_x', 'api_key.create', 'api_key', 'ak_y', '127.0.0.1', 'req_0123456789abcdef', $ts"; }
event_values() { echo "$(uid ev "$1"), 'tn_bench', 'api_key.created', '{\"id\"=\"ak_y\",\"name\"=\"bench key\",\"mode\"=\"live\",\"scopes\"=[\"users.read\"],\"last_four\"=\"abcd\"}', $ts"; }
keys="INSERT INTO api_keys (id, tenant_id, name, mode, key_hash, last_four, scopes, created_by, created_at)"
audit="INSERT INTO audit_log (id, tenant_id, actor_type, actor_id, action, target_type, target_id, ip, request_id, created_at)"
events="INSERT INTO events (id, tenant_id, type, data, created_at)"
fan_out="SELECT id, events FROM webhook_endpoints WHERE tenant_id = 'tn_bench' AND enabled = 1 AND kind = 'events';"

one_write() {  # $1 row number
  echo "$keys VALUES ($(key_values "$1"));"
  echo "$audit VALUES ($(audit_values "$1"));"
  echo "$events VALUES ($(event_values "$1"));"
  echo "$fan_out"
}
script() {  # $1 shape
  echo '\set r random(1, 1000000000)'
  echo '\startpipeline'
  echo 'BEGIN;'
  local i
  case $1 in
    per-write) one_write 1 ;;
    savepoints) for i in $(seq 20); do echo 'SAVEPOINT w;'; one_write "$i"; echo 'RELEASE SAVEPOINT w;'; done ;;
    shared) for i in $(seq 20); do one_write "$i"; done ;;
    multi-row)
      echo "$keys SELECT $(key_values g) FROM generate_series(1, 50) g;"
      echo "$audit SELECT $(audit_values g) FROM generate_series(1, 50) g;"
      echo "$events SELECT $(event_values g) FROM generate_series(1, 50) g;"
      echo "$fan_out"
      ;;
  esac
  echo 'COMMIT;'
  echo '\endpipeline'
}
writes_per_transaction() { case $1 in per-write) echo 1 ;; multi-row) echo 50 ;; *) echo 20 ;; esac; }

{
  echo "# PostgreSQL ceiling for one authenticated write, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; PostgreSQL $(psql -X -At "$url" -c 'SHOW server_version') (fsync on)"
  echo "and pgbench ($clients clients, ${secs} s, -M prepared, pipeline mode) alone on it; irisx's schema."
  echo
  echo "| shape | transactions/s | writes/s | latency avg |"
  echo "| --- | --- | --- | --- |"
} >"$out.tmp"
cat "$out.tmp"
for shape in per-write savepoints shared multi-row; do
  script "$shape" >"$work/$shape.sql"
  result=$(pgbench -n -M prepared -c "$clients" -j 2 -T "$secs" -f "$work/$shape.sql" "$url" 2>&1)
  tps=$(awk '/^tps/ {print $3}' <<<"$result")
  latency=$(awk '/latency average/ {print $4 " " $5}' <<<"$result")
  if [[ -z $tps ]]; then echo "ceiling.sh: pgbench failed for $shape:" >&2; tail -n 5 <<<"$result" >&2; exit 1; fi
  printf '| %s | %.0f | %.0f | %s |\n' "$shape" "$tps" "$(python3 -c "print($tps * $(writes_per_transaction "$shape"))")" "$latency" | tee -a "$out.tmp"
done
mv "$out.tmp" "$out"
echo "written to $out"
