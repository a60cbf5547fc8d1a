#!/usr/bin/env bash
# XDP prefilter drop rate on the veth lab: 256 rules of which the last matches, against a bare
# XDP_DROP program, same in-kernel generator (bpf_prog_test_run live frames redirecting into the
# generator's veth end), same run. Also the in-kernel cost per frame (test runs with repeat).
# Runs the tests of Tests/PrefilterTests/VethBenchTests.swift and CostTests.swift as root.
#
# Usage: Benchmarks/prefilter-bench.sh [FRAMES] [RUNS]   (default 5000000 frames, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-5000000}
runs=${2:-3}
[ "$(id -u)" -eq 0 ] || { echo "prefilter-bench: needs root (loads XDP programs)" >&2; exit 1; }
swift build --build-tests 2>&1 | tail -1
for _ in $(seq "$runs"); do
  TAPLINE_VETH_BENCH_FRAMES=$frames TAPLINE_PREFILTER_BENCH_REPEAT=$frames \
    swift test --skip-build --filter 'VethBenchTests|CostTests' 2>&1 | grep -E 'veth drop rate|prefilter cost'
done
