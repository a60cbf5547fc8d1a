#!/usr/bin/env bash
# Set-up, build, and every test: the unit and integration tests, then the ring tests again under
# ThreadSanitizer, then the allocation gate of the micro-benchmarks. Run from anywhere; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/setup.sh
swift --version | head -1

echo "== build (debug, with tests)"
swift build --build-tests

echo "== tests"
swift test --skip-build --parallel --num-workers 2

echo "== ring tests under ThreadSanitizer"
# The two-thread test moves fewer items here: TSan makes every atomic operation ~50x slower.
TAPLINE_RING_ITEMS=20000000 swift test --sanitize=thread --scratch-path .build-tsan --filter RingsTests

# The allocation gate (Benchmarks/check-allocations.sh): the per-packet micro-benchmarks must make
# no malloc. On a fresh clone it builds the benchmark framework and the packet path in release:
# 5 min in all on an idle 2-vCPU machine, ~18 min on a busy one. TAPLINE_ALLOCATION_GATE=0 skips it.
if [ "${TAPLINE_ALLOCATION_GATE:-1}" = 0 ]; then
    echo "== allocation gate skipped (TAPLINE_ALLOCATION_GATE=0)"
else
    echo "== allocation gate (Benchmarks/check-allocations.sh)"
    Benchmarks/check-allocations.sh
fi

echo "test.sh: all tests passed"
