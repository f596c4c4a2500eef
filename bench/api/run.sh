#!/usr/bin/env bash
# API benchmark: GET /healthz, API-key GET /v1/me and an authenticated write (POST /v1/api-keys)
# on SQLite and on PostgreSQL, with wrk on loopback. Prints a table and writes it to
# bench/results/api-<date>.md. Usage: bench/api/run.sh [build/irisx] [seconds]
set -euo pipefail
bin=${1:-build/irisx}
secs=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../steal.sh
source "$root/bench/steal.sh"
work=$(mktemp -d /tmp/irisx-bench-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server runs as the postgres user
out="$root/bench/results/api-$(date -u +%Y-%m-%d).md"
pg_dir="$work/pg"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/tests/scripts/pg-test-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_irisx() {  # $1 = store name, $2 = database url (empty: sqlite)
  local dir="$work/$1"
  mkdir -p "$dir"
  env -i PATH="$PATH" HOME="$HOME" IRISX_LOG_ACCESS=false IRISX_RATE_LIMIT_ENABLED=false \
    ${2:+IRISX_DATABASE_URL=$2} "$bin" serve --data-dir "$dir" --listen 127.0.0.1:0 \
    --ready-file "$dir/ready" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [[ -s "$dir/ready" ]] && break; sleep 0.05; done
  addr=$(cat "$dir/ready")
}

stop_irisx() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }

# wrk prints "Requests/sec: N" and a latency distribution with --latency.
run_wrk() {  # $1 label, rest: wrk args
  local label=$1; shift
  local text before steal
  before=$(cpu_jiffies)
  text=$(wrk -t1 -c"${conns:-64}" -d"${secs}s" --latency "$@")
  steal=$(steal_since "$before")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$text")
  p50=$(awk '$1=="50%" {print $2}' <<<"$text")
  p99=$(awk '$1=="99%" {print $2}' <<<"$text")
  local errors
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$text")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$rps" "$p50" "$p99" "${errors:-0}" "$steal" |
    tee -a "$out.tmp"
}

bench_store() {  # $1 store, $2 url
  start_irisx "$1" "${2:-}"
  local base="http://$addr"
  local signup token key
  signup=$(curl -sf "$base/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"company_name\":\"Bench\",\"name\":\"B\",\"email\":\"bench-$1@example.com\",\"password\":\"benchmark-password\"}")
  token=$(json '["access_token"]' <<<"$signup")
  key=$(curl -sf "$base/v1/api-keys" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"bench","scopes":["api_keys:write","api_keys:read","users:read"]}' | json '["key"]')
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"name":"bench key","scopes":["users:read"]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$key"
LUA
  run_wrk "$1 GET /healthz" "$base/healthz"
  run_wrk "$1 GET /v1/me (API key)" -H "X-API-Key: $key" "$base/v1/me"
  # Paced load: 10,000 req/s on one fixed schedule over 60 connections (bench/paced.lua), so the
  # rate holds while responses take under 6 ms. wrk measures from each send, so this is not
  # corrected for coordinated omission.
  {
    echo "wrk.headers[\"X-API-Key\"] = \"$key\""
    echo "paced_rate = 10000"
    cat "$root/bench/paced.lua"
  } >"$work/paced.lua"
  conns=60 run_wrk "$1 GET /v1/me paced 10k req/s" -s "$work/paced.lua" "$base/v1/me"
  # Last: the store's background work after a write flood (PostgreSQL's autovacuum and
  # checkpoint) would otherwise land in the paced read run.
  run_wrk "$1 POST /v1/api-keys (API key)" -s "$work/post.lua" "$base/v1/api-keys"
  # Stop this irisx and flush its writes: after a write flood it still has work queued (events
  # for the bus, WAL to checkpoint) and the kernel gigabytes of dirty pages to write back, which
  # would otherwise run during the next store's measurements.
  stop_irisx
  sync
}

{
  echo "# API benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; wrk -t1 -c64 -d${secs}s on the same machine."
  echo "irisx $("$bin" version | awk '{print $2}'), rate limits off, access log off."
  echo
  echo "steal: the share of the machine's CPU time the hypervisor gave elsewhere during the run."
  echo
  echo "| scenario | req/s | p50 | p99 | non-2xx | steal |"
  echo "| --- | --- | --- | --- | --- | --- |"
} >"$out.tmp"
cat "$out.tmp"
bench_store sqlite ""
pg_port=$(free_port)
"$root/tests/scripts/pg-test-server.sh" start "$pg_dir" "$pg_port"
bench_store postgres "postgres://postgres@127.0.0.1:$pg_port/irisx"
mv "$out.tmp" "$out"
echo "written to $out"
