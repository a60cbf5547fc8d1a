#!/usr/bin/env bash
# Set-up, build, and every test: the unit and integration tests, then the ring tests again under
# ThreadSanitizer. Run from anywhere; exits non-zero on the first failure.
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

echo "test.sh: all tests passed"
