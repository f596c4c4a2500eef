#!/usr/bin/env bash
# Webhook delivery benchmark: events created through the API (POST /v1/api-keys emits one
# api_key.created per request) delivered to a local receiver (bench/webhooks/receiver.js), in four
# modes: embedded bus on SQLite, embedded bus on PostgreSQL, NATS JetStream with PostgreSQL (the
# cluster setup) and NATS JetStream with SQLite (one machine, NATS as the queue).
# Scenarios per mode, each on a fresh irisx and fresh servers:
#   throughput  wrk -t1 -c32 flat out for N s, tenant with 4 endpoints, then drain (cap 120 s)
#   paced       1,000 POST/s on a fixed schedule (bench/paced.lua), tenant with 1 endpoint, then drain
# Prints a table and writes it to bench/results/webhooks-<date>.md.
# Usage: bench/webhooks/run.sh [build/irisx] [seconds]
set -euo pipefail
bin=${1:-build/irisx}
secs=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../steal.sh
source "$root/bench/steal.sh"
[[ $bin == /* ]] || bin="$PWD/$bin"
for tool in wrk node curl python3 nats-server; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (apt-get install wrk nodejs nats-server)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/irisx-bench-webhooks-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server runs as the postgres user
out="$root/bench/results/webhooks-$(date -u +%Y-%m-%d).md"
K=4                 # endpoints of the throughput tenant
drain_cap=120       # seconds to wait for deliveries after wrk stops
paced_rate=1000     # paced: POST/s offered, on one schedule over all connections
paced_conns=32      # enough that a slot finds a free connection while responses take < 32 ms
pids=()       # long-lived: the receiver
mode_pids=()  # per mode: irisx, nats-server
pg_dir=""
db=""         # per mode: the store, for read-only counts (sqlite file or postgres url)

stop_mode() {
  local p
  for p in "${mode_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${mode_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  mode_pids=()
  if [[ -n $pg_dir ]]; then "$root/tests/scripts/pg-test-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  pg_dir=""
  # The kernel's write-back of this mode's dirty pages would otherwise run during the next mode.
  sync
}
cleanup() {
  local p
  stop_mode
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  rm -f "$out.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
log() { echo "$*" >&2; }

wait_file() {  # $1 file, $2 what, $3 log to show on failure
  for _ in $(seq 600); do [[ -s $1 ]] && return 0; sleep 0.05; done
  log "run.sh: $2 did not start; last lines of $3:"; tail -n 20 "$3" >&2 || true
  exit 1
}
wait_port() {  # $1 port, $2 what, $3 log
  for _ in $(seq 300); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  log "run.sh: $2 did not listen on $1; last lines of $3:"; tail -n 20 "$3" >&2 || true
  exit 1
}

# --- the receiver -------------------------------------------------------------------------
node "$root/bench/webhooks/receiver.js" "$work/receiver.port" >"$work/receiver.log" 2>&1 &
pids+=($!)
wait_file "$work/receiver.port" receiver "$work/receiver.log"
recv="http://127.0.0.1:$(cat "$work/receiver.port")"
stats() { curl -sf "$recv/stats"; }

# --- one irisx per mode -------------------------------------------------------------------
start_mode() {  # $1 mode; sets base
  local mode=$1 db_url="" nats_url=""
  local dir="$work/$mode"
  mkdir -p "$dir"
  db="sqlite:$dir/data/irisx.db"
  if [[ $mode != *sqlite ]]; then
    pg_dir="$dir/pg"
    local pg_port; pg_port=$(free_port)
    "$root/tests/scripts/pg-test-server.sh" start "$pg_dir" "$pg_port"
    db_url="postgres://postgres@127.0.0.1:$pg_port/irisx"
    db=$db_url
  fi
  if [[ $mode == nats* ]]; then
    local nats_port; nats_port=$(free_port)
    mkdir -p "$dir/nats"
    nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$dir/nats" >"$dir/nats.log" 2>&1 &
    mode_pids+=($!)
    wait_port "$nats_port" nats-server "$dir/nats.log"
    nats_url="nats://127.0.0.1:$nats_port"
  fi
  env -i PATH="$PATH" HOME="$HOME" IRISX_LOG_ACCESS=false IRISX_RATE_LIMIT_ENABLED=false \
    IRISX_WEBHOOKS_ALLOW_NETWORKS=127.0.0.0/8 ${db_url:+IRISX_DATABASE_URL=$db_url} \
    ${nats_url:+IRISX_NATS_URL=$nats_url} "$bin" serve --data-dir "$dir/data" \
    --listen 127.0.0.1:0 --ready-file "$dir/ready" >"$dir/irisx.log" 2>&1 &
  mode_pids+=($!)
  wait_file "$dir/ready" irisx "$dir/irisx.log"
  base="http://$(cat "$dir/ready")"
}

# Read-only SQL on the mode's store (prints rows as a|b); the benchmark's ground truth for how
# many events and deliveries IRISX committed, since wrk does not count the requests it cuts off
# when its time is up (the server still commits them).
sql() {  # $1 query
  if [[ $db == sqlite:* ]]; then
    python3 -c 'import sqlite3,sys
c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True, timeout=10)
for r in c.execute(sys.argv[2]): print("|".join(str(v) for v in r))' "${db#sqlite:}" "$1"
  else
    psql -X -q -At -v ON_ERROR_STOP=1 "$db" -c "$1"
  fi
}
delivery_count() { sql "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = '$tenant'"; }

# A tenant with $2 endpoints /hook/1..$2 subscribed to api_key.created; sets key and tenant.
make_tenant() {  # $1 name, $2 endpoints
  local signup token i
  signup=$(curl -sf "$base/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"company_name\":\"Bench $1\",\"name\":\"B\",\"email\":\"bench-$1@example.com\",\"password\":\"benchmark-password\"}")
  token=$(json '["access_token"]' <<<"$signup")
  tenant=$(json '["tenant"]["id"]' <<<"$signup")
  key=$(curl -sf "$base/v1/api-keys" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"bench","scopes":["api_keys:write","users:read"]}' | json '["key"]')
  for i in $(seq "$2"); do
    curl -sf -o /dev/null "$base/v1/webhooks" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"url\":\"$recv/hook/$i\",\"events\":[\"api_key.created\"]}"
  done
}

write_lua() {  # $1 file, $2 requests per second (empty: flat out)
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '{"name":"b","scopes":["users:read"]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$key"
LUA
  if [[ -n ${2:-} ]]; then
    echo "paced_rate = $2" >>"$1"
    cat "$root/bench/paced.lua" >>"$1"
  fi
}

# Runs wrk; sets accepted (requests wrk saw answered 2xx), wrk_rps and steal_from (for the
# row's steal, over the run and its drain); the summary goes to stderr.
run_wrk() {  # $1 conns, $2 lua
  local text total non2xx
  steal_from=$(cpu_jiffies)
  text=$(wrk -t1 -c"$1" -d"${secs}s" -s "$2" "$base/v1/api-keys")
  total=$(awk '/requests in/ {print $1}' <<<"$text")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$text")
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$text")
  accepted=$((total - ${non2xx:-0}))
  log "  wrk: $total requests, ${non2xx:-0} non-2xx, $wrk_rps req/s$(awk '/Socket errors/ {printf ", %s", $0}' <<<"$text")"
}

# Waits until the receiver holds as many distinct deliveries as the store has for the tenant
# (and nothing more arrived for 0.5 s), or nothing arrived for 10 s, or drain_cap s passed;
# sets s (the receiver's stats JSON), expected (deliveries in the store) and drain_s.
drain() {
  local start now prev=-1 still=0 d
  start=$(date +%s.%N)
  while :; do
    s=$(stats)
    expected=$(delivery_count)
    d=$(json '["distinct"]' <<<"$s")
    now=$(date +%s.%N)
    if [[ $d == "$prev" ]]; then still=$((still + 1)); else still=0; fi
    prev=$d
    if ((d >= expected && still >= 1)) || ((still >= 20)); then break; fi
    if python3 -c "import sys; sys.exit(0 if $now - $start > $drain_cap else 1)"; then
      log "  drain: gave up after ${drain_cap} s"; break
    fi
    sleep 0.5
  done
  drain_s=$(python3 -c "print(f'{$now - $start:.1f}')")
}

# One table row, and a note on stderr if the store disagrees with the receiver.
report() {  # $1 mode, $2 scenario, $3 endpoints
  local events status
  # The tenant's api_key.created events, less the one of the key made before its endpoints.
  events=$(($(sql "SELECT count(*) FROM events WHERE tenant_id = '$tenant' AND type = 'api_key.created'") - 1))
  status=$(sql "SELECT status, count(*) FROM webhook_deliveries WHERE tenant_id = '$tenant' GROUP BY status ORDER BY status" | paste -sd ' ' -)
  log "  store: $events events, deliveries by status: $status (wrk counted $accepted 2xx)"
  ((expected == $3 * events)) || log "  note: $expected deliveries in the store for $events events × $3 endpoints"
  python3 - "$1" "$2" "$events" "$expected" "$s" "$status" "$wrk_rps" "$(steal_since "$steal_from")" <<'PY' | tee -a "$out.tmp"
import json, sys
mode, scenario, events, expected, s = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
status = dict(kv.split("|") for kv in sys.argv[6].split())
post_rate = float(sys.argv[7])
unsettled = sum(int(v) for k, v in status.items() if k != "succeeded")
d = s["distinct"]
span = (s["last_ms"] or 0) - (s["first_ms"] or 0)
rate = f"{d / (span / 1000):,.0f}" if span > 0 else "n/a"
lat = s["latency_ms"]
ms = lambda v: "n/a" if v is None else f"{v:,.0f} ms"
print(f"| {mode} | {scenario} | {post_rate:,.0f} | {events:,} | {expected:,} | {d:,} | {expected - d:,} | {s['duplicates']:,} "
      f"| {unsettled:,} | {rate} | {ms(lat['p50'])} | {ms(lat['p99'])} | {ms(lat['max'])} | {sys.argv[8]} |")
PY
}

check_log() {  # $1 mode: IRISX's warnings and errors, for the operator
  local f="$work/$1/irisx.log" n
  n=$(grep -ciE 'warn|error|fail' "$f" || true)
  if ((n > 0)); then
    log "  irisx log of $1: $n warning/error lines, first ones:"
    grep -iE 'warn|error|fail' "$f" | head -n 5 >&2
  fi
}

bench_mode() {  # $1 mode
  local mode=$1
  log "== $mode"
  start_mode "$mode"

  make_tenant "$mode-k$K" "$K"
  write_lua "$work/flat.lua" ""
  curl -sf -o /dev/null -X POST "$recv/reset"
  log "  throughput: wrk -t1 -c32 -d${secs}s, $K endpoints"
  run_wrk 32 "$work/flat.lua"
  drain
  log "  drained in $drain_s s: $(python3 -c 'import sys,json; s=json.loads(sys.argv[1]); s.pop("latency_ms"); print(s)' "$s")"
  report "$mode" "throughput, $K endpoints" "$K"

  make_tenant "$mode-k1" 1
  write_lua "$work/paced.lua" "$paced_rate"
  curl -sf -o /dev/null -X POST "$recv/reset"
  log "  paced: wrk -t1 -c$paced_conns at $paced_rate POST/s -d${secs}s, 1 endpoint"
  run_wrk "$paced_conns" "$work/paced.lua"
  drain
  log "  drained in $drain_s s: $(python3 -c 'import sys,json; s=json.loads(sys.argv[1]); s.pop("latency_ms"); print(s)' "$s")"
  report "$mode" "paced $paced_rate/s, 1 endpoint" 1

  check_log "$mode"
  stop_mode
}

{
  echo "# Webhook delivery benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
  echo "wrk, the receiver (bench/webhooks/receiver.js, Node.js $(node --version)), irisx, PostgreSQL and"
  echo "nats-server all share these cores, so every figure includes their contention."
  echo "irisx $("$bin" version | awk '{print $2}'), one process with roles api+worker, rate limits off, access log off."
  echo
  echo "What is measured: each POST /v1/api-keys (API key) emits one \`api_key.created\` event and every"
  echo "endpoint of the tenant subscribed to it gets one delivery, all to one local receiver that answers"
  echo "200 at once."
  echo
  echo "- *throughput*: wrk -t1 -c32 flat out for ${secs} s against a tenant with $K endpoints, then wait"
  echo "  until every delivery arrived (cap ${drain_cap} s)."
  echo "- *paced*: wrk -t1 -c$paced_conns offering $paced_rate POST/s on one fixed schedule (bench/paced.lua: a"
  echo "  connection that is free takes the next slot; one that comes back late takes an overdue one at"
  echo "  once), for ${secs} s, against a tenant with 1 endpoint, then the same wait."
  echo "- POST/s: the API's rate as wrk measured it. events: \`api_key.created\` events committed, counted in"
  echo "  the store (wrk does not count the requests in flight when it stops, which the server still"
  echo "  commits). expected: deliveries the store holds for them (events × endpoints). delivered: distinct"
  echo "  (endpoint, webhook-id) pairs received. lost = expected − delivered. dup: repeated deliveries."
  echo "  unsettled: deliveries the store still has as pending or failed at the end."
  echo "- deliveries/s = delivered / (last arrival − first arrival), so it includes the drain."
  echo "- e2e: receiver arrival time − the event's created_at (same wall clock, ms), over every request."
  echo "- Modes: embedded bus on SQLite, embedded bus on PostgreSQL, NATS JetStream with PostgreSQL"
  echo "  (\`nats\`, the cluster setup) and NATS JetStream with SQLite (\`nats-sqlite\`); each on a fresh"
  echo "  irisx and fresh servers."
  echo "- steal: the share of the machine's CPU time the hypervisor gave to other guests during the"
  echo "  run and its drain (bench/steal.sh)."
  echo
  echo "| mode | scenario | POST/s | events | expected | delivered | lost | dup | unsettled | deliveries/s | e2e p50 | e2e p99 | e2e max | steal |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$out.tmp"
cat "$out.tmp"
for mode in ${IRISX_BENCH_MODES:-embedded-sqlite embedded-postgres nats nats-sqlite}; do bench_mode "$mode"; done
mv "$out.tmp" "$out"
echo "written to $out"
