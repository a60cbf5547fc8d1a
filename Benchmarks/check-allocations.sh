#!/usr/bin/env bash
# The allocation gate: builds the micro-benchmarks in release and checks that no per-packet
# benchmark allocates (mallocCountTotal p90 = 0, from Thresholds/*.p90.json). Only the malloc
# counter is measured; timing thresholds are not checked (on shared 2-vCPU machines they are noise).
# Exits non-zero, naming the benchmark, when one allocates. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"

start=$(date +%s)
echo "== allocation gate: building the micro-benchmarks (release)"
swift build -c release --product PacketPath 2>&1 | grep -E "error|warning: unable|Compiling PacketPath|Build complete" || true
test -x .build/release/PacketPath || { echo "check-allocations: the benchmark build failed" >&2; exit 1; }

echo "== allocation gate: every per-packet benchmark must make 0 mallocs"
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift package benchmark thresholds check --metric mallocCountTotal --no-progress 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ] && ! grep -q "Deviations worse than threshold" "$log"; then
    echo "" >&2
    echo "check-allocations: the benchmark run itself failed (build or tool error above), not an allocation" >&2
    exit 2
fi
if [ "$status" -ne 0 ]; then
    echo "" >&2
    echo "check-allocations: FAILED — a per-packet benchmark allocates (see 'Deviations worse than threshold'" >&2
    echo "above: mallocCountTotal per sample of 1000 packets). Find the site with" >&2
    echo "  cd Benchmarks && swift package benchmark run --allocation-stacks --filter '<name>'" >&2
    exit 1
fi

echo "check-allocations: passed in $(( $(date +%s) - start )) s"
