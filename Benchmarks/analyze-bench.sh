#!/usr/bin/env bash
# Offline throughput of `tapline analyze` on `synth --profile mix` against tcpdump, softflowd,
# nfstream and tshark: now one profile of Scripts/bench.sh, which measures the same things (best of
# 3, callgrind instructions per packet, peak memory) for every profile and adds the live lab.
#
# Usage: Benchmarks/analyze-bench.sh [PACKETS] [--write]   (default 2000000; --write updates RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--packets "${1:-2000000}" --profiles mix)
[ "${2:-}" = --write ] || args+=(--no-write)
exec Scripts/bench.sh "${args[@]}"
