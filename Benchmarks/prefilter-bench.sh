#!/usr/bin/env bash
# XDP prefilter drop rate on the veth lab: 256 rules of which the last matches, against a bare
# XDP_DROP program, same in-kernel generator (bpf_prog_test_run live frames redirecting into the
# generator's veth end), same run: the programs take turns for ROUNDS rounds and each one's best
# round is its rate; then the same programs under the project's own generator, `tapline replay --engine
# xdp` (KernelReplayer) replaying 1,024 distinct frames. Also the in-kernel cost per frame (test runs with repeat).
# Runs the tests of Tests/PrefilterTests/VethBenchTests.swift and CostTests.swift as root.
# Every measured instruction runs in the kernel (generator included): the build configuration
# changes nothing measured (the BPF object is clang -O2 in both), so the debug build is used.
#
# Usage: Benchmarks/prefilter-bench.sh [FRAMES] [RUNS] [ROUNDS]   (default 5000000 frames, 3 runs, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-5000000}
runs=${2:-3}
rounds=${3:-5}
[ "$(id -u)" -eq 0 ] || { echo "prefilter-bench: needs root (loads XDP programs)" >&2; exit 1; }
swift build --build-tests 2>&1 | tail -1
for _ in $(seq "$runs"); do
  TAPLINE_VETH_BENCH_FRAMES=$frames TAPLINE_VETH_BENCH_ROUNDS=$rounds TAPLINE_PREFILTER_BENCH_REPEAT=$frames \
    swift test --skip-build --filter 'VethBenchTests|CostTests' 2>&1 | grep -E 'veth drop rate|prefilter cost'
done
