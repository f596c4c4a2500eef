#!/usr/bin/env bash
# Installs the Debian packages IRISX needs to build, run, test and benchmark.
# Idempotent and non-interactive: only missing packages are installed.
# Usage: scripts/install-deps.sh [build|test|bench|fuzz]   (test and bench include build; bench
# includes test; fuzz adds clang's libFuzzer to build)
set -euo pipefail

level=${1:-build}

build_pkgs=(
  build-essential cmake ninja-build pkg-config ccache clang-format
  libboost-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libtoml11-dev libsqlite3-dev libpq-dev libssl-dev libargon2-dev libcurl4-openssl-dev libnats-dev
  libsofia-sip-ua-dev libspandsp-dev libspeexdsp-dev libsndfile1-dev libespeak-ng-dev
  libgoogle-perftools-dev
)
test_pkgs=(libgtest-dev libgmock-dev postgresql sqlite3 procps nats-server sip-tester)
bench_pkgs=(libbenchmark-dev wrk)
fuzz_pkgs=(clang libclang-rt-14-dev)

wanted=("${build_pkgs[@]}")
case "$level" in
  build) ;;
  test) wanted+=("${test_pkgs[@]}") ;;
  bench) wanted+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) wanted+=("${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench|fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Test fakes run on Node.js; a machine may already have it from elsewhere (with npm inside),
# so look for the commands rather than for Debian's packages.
if [[ "$level" != build ]] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

install_apt_packages() {
  ((${#missing[@]} > 0)) || return 0
  echo "install-deps: installing ${missing[*]}"
  local sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The postgresql package starts a cluster on port 5432; tests start their own
  # throwaway server instead, so the packaged one is not needed.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v systemctl >/dev/null; then
    "${sudo_cmd[@]}" systemctl disable --now postgresql >/dev/null 2>&1 || true
  fi
}

# The fake webhook receiver's npm packages, pinned by its package-lock.json. Reinstalled only
# when node_modules is missing or older than the lock file, so a second run does nothing.
install_npm_packages() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/fakes/webhook-receiver"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    echo "install-deps: npm ci in ${dir#"$PWD/"}"
    npm ci --no-audit --no-fund --silent --prefix "$dir"
    # npm ci may keep the directory's old mtime; touch it so it reads as newer than the lock.
    touch "$dir/node_modules"
  fi
}

install_apt_packages
if [[ "$level" != build ]]; then install_npm_packages; fi
