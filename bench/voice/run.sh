#!/usr/bin/env bash
# Voice engine benchmark against SIPp on loopback, each part on a fresh `irisx serve --roles voice`
# with the diagnostic numbers on and the SQLite store:
#   (a) call rate   SIPp calls "prompt" (answered, hears the sentence of about 3.5 s, the engine
#                   hangs up) at rising rates for RATE_SECS each; reports the highest rate with
#                   zero failed calls, and the engine's RSS before and after (growth per call).
#   (b) legs        SIPp calls "milliwatt" (a continuous tone from the engine) with -rtp_echo,
#                   so every leg carries 20 ms RTP both ways; at each leg count, holds the calls
#                   and samples the engine's CPU and RSS; the call records give packets sent,
#                   received and lost per leg.
# Prints a table and writes it to bench/results/voice-<date>.md.
# Usage: bench/voice/run.sh [build/irisx]   (RATES, RATE_SECS, LEGS, HOLD_SECS override; BENCH_OUT
# writes the table elsewhere, RTP_PORTS moves the port range, and BENCH_STRICT=1 fails on any
# failed step, as the CTest smoke run
# does)
set -euo pipefail
bin=${1:-build/irisx}
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ $bin == /* ]] || bin="$PWD/$bin"
rates=${RATES:-"100 200 300 400 500"}
rate_secs=${RATE_SECS:-10}
legs_list=${LEGS:-"500 1000 2000"}
hold_secs=${HOLD_SECS:-25}
for tool in sipp sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps.sh bench)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/irisx-bench-voice-XXXXXX)
out=${BENCH_OUT:-"$root/bench/results/voice-$(date -u +%Y-%m-%d).md"}
pid=""
ulimit -n 65536 2>/dev/null || true

stop_engine() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
cleanup() { stop_engine; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; print(p - p % 2)'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# Datagrams the kernel dropped at a process's UDP sockets (full receive buffer): `ss` shows each
# socket's sk_drops as the d field of skmem.
socket_drops() {  # $1 pid
  ss -u -a -m -n -p 2>/dev/null | awk -v pid="pid=$1," '
    index($0, pid) { owner = 1; next }
    /^UNCONN|^ESTAB/ { owner = 0 }
    owner && /skmem/ { if (match($0, /,d[0-9]+/)) total += substr($0, RSTART + 2, RLENGTH - 2) }
    END { print total + 0 }'
}

start_engine() {  # $1 name
  rm -rf "$work/data" "$work/ready"
  IRISX_ROLES=voice IRISX_VOICE_SIP_LISTEN=127.0.0.1:0 IRISX_VOICE_DIAGNOSTICS=1 \
    IRISX_VOICE_RTP_PORTS=${RTP_PORTS:-20000-39999} IRISX_LOG_LEVEL=warn \
    "$bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" --ready-file "$work/ready" \
    2>"$work/irisx-$1.log" &
  pid=$!
  for _ in $(seq 300); do [[ -s $work/ready ]] && break; sleep 0.05; done
  [[ -s $work/ready ]] || { log "irisx did not start:"; tail "$work/irisx-$1.log" >&2; exit 1; }
  sip=$(awk '/^sip / {print $2}' "$work/ready")
}

db() { sqlite3 -readonly "$work/data/irisx.db" "$1"; }

sipp_run() {  # $1 log name, rest: sipp arguments; prints the exit code
  local mp rc=0
  mp=$(free_port)
  # The prompt scenario sends the engine's audio to [rtpport]: SIPp's own media port here.
  (cd "$work" && sipp "$sip" -i 127.0.0.1 -mi 127.0.0.1 -mp "$mp" -key rtpport "$mp" -nostdin -timeout 300s \
     -timeout_error -max_socket 60000 -trace_err -error_file "$work/$1.err" "${@:2}" \
     >/dev/null 2>&1) || rc=$?
  echo "$rc"
}

# (a) call rate -------------------------------------------------------------------------------
start_engine rate
# The first call synthesizes the sentence; the rest hit the speech cache.
warm=$(sipp_run warm -sf "$root/tests/sip/scenarios/uac-prompt-engine-hangs-up.xml" -s prompt \
       -m 1)
[[ $warm == 0 ]] || { log "warm-up call failed"; cat "$work/warm.err" >&2; exit 1; }
rss_start=$(rss_kib)
rate_rows=""
best=0
failures=()
calls_total=1
for rate in $rates; do
  calls=$((rate * rate_secs))
  before=$(db "SELECT count(*) FROM call_records")
  rc=$(sipp_run "rate-$rate" -sf "$root/tests/sip/scenarios/uac-prompt-engine-hangs-up.xml" \
       -s prompt -r "$rate" -m "$calls" -l $((rate * 10)))
  sleep 1
  after=$(db "SELECT count(*) FROM call_records")
  failed=$(db "SELECT count(*) FROM (SELECT * FROM call_records ORDER BY started_at DESC LIMIT $calls) WHERE hangup_cause <> 'normal_clearing'")
  avg_ms=$(db "SELECT CAST(avg(duration_ms) AS INTEGER) FROM (SELECT * FROM call_records ORDER BY started_at DESC LIMIT $calls)")
  calls_total=$((calls_total + calls))
  verdict="ok"
  if [[ $rc != 0 || $failed != 0 || $((after - before)) != "$calls" ]]; then verdict="failures (sipp $rc, $failed bad records, $((after - before)) of $calls recorded)"; fi
  log "rate $rate/s: $verdict, avg call $avg_ms ms"
  rate_rows+="| $rate | $calls | $verdict | $avg_ms | $(rss_kib) |"$'\n'
  if [[ $verdict != ok ]]; then failures+=("rate $rate: $verdict"); break; fi
  ((rate > best)) && best=$rate
done
rss_end=$(rss_kib)
stop_engine

# (b) concurrent legs with RTP both ways -------------------------------------------------------
leg_rows=""
for legs in $legs_list; do
  start_engine "legs-$legs"
  rss0=$(rss_kib)
  ramp=$(( (legs + 99) / 100 ))
  mp=$(free_port)
  (cd "$work" && sipp "$sip" -sf "$root/bench/voice/uac-hold-media.xml" -s milliwatt -i 127.0.0.1 \
     -mi 127.0.0.1 -mp "$mp" -rtp_echo -r 100 -m "$legs" -l "$legs" -d $((hold_secs * 1000)) \
     -nostdin -timeout 300s -max_socket 60000 -trace_err -error_file "$work/legs-$legs.err" \
     >/dev/null 2>&1) &
  sipp_pid=$!
  sleep $((ramp + 3))
  c0=$(cpu_ticks); s0=$(date +%s.%N); sleep 10; c1=$(cpu_ticks); s1=$(date +%s.%N)
  rss1=$(rss_kib)
  engine_drops=$(socket_drops "$pid")
  sipp_drops=$(socket_drops "$(pgrep -P "$sipp_pid" sipp || echo "$sipp_pid")")
  rc=0; wait "$sipp_pid" || rc=$?
  sleep 2
  read -r n sent received lost < <(db "SELECT count(*), sum(packets_sent), sum(packets_received), sum(packets_lost) FROM call_records WHERE hangup_cause = 'normal_clearing'" | tr '|' ' ')
  cpu=$(python3 -c "print(round(100 * ($c1 - $c0) / $(getconf CLK_TCK) / ($s1 - $s0), 1))")
  per_leg=$(( (rss1 - rss0) / legs ))
  loss=$(python3 -c "print(round(100 * max(0, ${sent:-0} - ${received:-0}) / max(1, ${sent:-0}), 3))")
  log "legs $legs: sipp $rc, $n calls recorded, engine CPU $cpu %, RSS +$((rss1 - rss0)) KiB ($per_leg KiB/leg), sent $sent received $received (lost round trip $loss %), socket drops engine $engine_drops sipp $sipp_drops"
  [[ $rc == 0 && $n == "$legs" ]] || failures+=("legs $legs: sipp $rc, $n of $legs recorded")
  leg_rows+="| $legs | $rc | $n | $cpu | $((rss1 / 1024)) | $per_leg | $sent | $received | $loss | $engine_drops | $sipp_drops |"$'\n'
  stop_engine
done

{
  echo "# Voice engine benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); SIPp $(sipp -v 2>&1 | grep -o 'v[0-9.]*' | head -1) on the same cores, loopback."
  echo
  echo "## (a) Call rate: answered, hears the prompt, engine hangs up"
  echo
  echo "| calls/s | calls | result | avg call ms | engine RSS KiB after |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s' "$rate_rows"
  echo
  echo "Highest rate with zero failed calls: **$best calls/s**. Engine RSS $rss_start KiB after the"
  echo "warm-up call, $rss_end KiB after $calls_total calls."
  echo
  echo "## (b) Concurrent legs, 20 ms RTP both ways (engine tone out, SIPp -rtp_echo back)"
  echo
  echo "| legs | sipp exit | calls recorded | engine CPU % (of one core) | engine RSS MiB | RSS KiB per leg | packets sent | packets received | round-trip loss % | dropped at engine sockets | dropped at SIPp sockets |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s' "$leg_rows"
} | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
# BENCH_STRICT (the CTest smoke run): any failed step fails the run.
if [[ -n ${BENCH_STRICT:-} && ${#failures[@]} -gt 0 ]]; then
  printf 'failed: %s\n' "${failures[@]}" >&2
  exit 1
fi
