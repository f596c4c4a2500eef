#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 60) on a
# scratch copy of its seed corpus. New crashes land in build-fuzz/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
scripts/install-deps.sh fuzz
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DIRISX_FUZZ=ON -DIRISX_BUILD_TESTS=OFF >/dev/null
while IFS='|' read -r binary corpus; do
  [[ -n "$binary" ]] || continue
  name=$(basename "$binary")
  cmake --build build-fuzz -j "$(nproc)" --target "$name"
  scratch="build-fuzz/corpus/$name"
  mkdir -p "$scratch" "build-fuzz/crashes/$name"
  cp -n "$corpus"/* "$scratch"/ 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  "$binary" -max_total_time="$seconds" \
    -artifact_prefix="build-fuzz/crashes/$name/" "$scratch" 2>&1 | tail -3
done < build-fuzz/fuzz_targets.txt
