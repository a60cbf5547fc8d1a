#!/usr/bin/env bash
# Capture variants side by side on the veth lab, in interleaved rounds: each VARIANT is a label and
# `tapline capture` arguments, e.g. 'pipeline=--no-l7 --pipeline --workers 1'. Every round runs each
# variant once in turn against the same generator, so that load from elsewhere on the machine falls
# on all of them alike. Pinned like Scripts/bench.sh: the generator on CPU 0 (on a veth the receiving
# end's XDP and copy into the UMEM run there), capture's threads on CPU 1.
#
# Usage: Benchmarks/capture-modes.sh [--rounds N] [--engine xdp|xsk] VARIANT...
#   --engine xdp (default): `tapline replay --engine xdp`, 10,000,000 frames a run
#   --engine xsk: `tapline replay` through AF_XDP, 3,000,000 frames a run
# Example: Benchmarks/capture-modes.sh --rounds 3 'rxdrop=--rxdrop' 'rxdrop-nospin=--rxdrop --idle-spin 0'
#
# Prints one line per run: rate (frames dissected, i.e. received less those lost at a worker ring,
# over the replay's own seconds), the generator's own rate, losses, and how often the packet threads
# (tapline-q*, tapline-w*) slept (voluntary context switches during the replay). Needs root and two
# CPUs; the lab is deleted on exit, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
engine=xdp
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --engine) engine=$2; shift 2 ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "capture-modes: name at least one VARIANT (label=capture arguments)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "capture-modes: needs root (namespaces, XDP)" >&2; exit 1; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "capture-modes: --rounds takes a positive number" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "capture-modes: needs two CPUs (the generator on CPU 0, capture on CPU 1)" >&2; exit 1; }
case "$engine" in
  xdp) gargs=(--engine xdp --loop 100) ;;
  xsk) gargs=(--loop 30) ;;
  *) echo "capture-modes: --engine is xdp or xsk" >&2; exit 2 ;;
esac
swift build -c release --product tapline 2>&1 | tail -1
bin=$PWD/.build/release/tapline

work=$(mktemp -d /tmp/tapline-capmodes.XXXXXX)
tag=$(printf '%x' $(( $$ % 65536 )))$(printf '%x' $((RANDOM)))
G=tlc-g-$tag; R=tlc-r-$tag; GI=cg$tag; RI=cr$tag
cpid=
cleanup() {
  [ -n "$cpid" ] && { kill -INT "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; }
  ip netns del "$G" 2>/dev/null || true
  ip netns del "$R" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$G"; ip netns add "$R"
ip link add "$GI" netns "$G" type veth peer name "$RI" netns "$R"
ip -n "$G" link set "$GI" addrgenmode none; ip -n "$R" link set "$RI" addrgenmode none
ip -n "$G" link set "$GI" up; ip -n "$R" link set "$RI" up
"$bin" synth --profile small --packets 100000 --seed 1 -o "$work/flood.pcap" 2>/dev/null

sleeps() {   # voluntary context switches of the packet threads of process $1
  local n=0 t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      tapline-q*|tapline-w*) n=$(( n + $(awk '/^voluntary_ctxt/ { print $2 }' "$t/status" 2>/dev/null || echo 0) )) ;;
    esac
  done
  echo "$n"
}
for round in $(seq "$rounds"); do
  for variant in "$@"; do
    label=${variant%%=*}; read -r -a cargs <<< "${variant#*=}"
    nsenter --net="/run/netns/$R" "$bin" capture -i "$RI" --no-metrics --quiet --frames 8192 --ring-size 4096 \
      --cores 1 --summary-json "$work/cap.json" "${cargs[@]}" 2> "$work/cap.err" &
    cpid=$!
    for _ in $(seq 1 200); do [ -e "/sys/fs/bpf/tapline/$RI/counters" ] && break; sleep 0.05; done
    [ -e "/sys/fs/bpf/tapline/$RI/counters" ] || { echo "capture ($label) did not start:" >&2; cat "$work/cap.err" >&2; exit 1; }
    s0=$(sleeps "$cpid")
    if ! ip netns exec "$G" "$bin" replay -i "$GI" --topspeed --cores 0 "${gargs[@]}" "$work/flood.pcap" > "$work/replay.out" 2>&1 \
       || ! out=$(grep replay-summary "$work/replay.out"); then
      echo "replay ($label) failed:" >&2; cat "$work/replay.out" >&2; exit 1
    fi
    s1=$(sleeps "$cpid")
    sleep 0.3
    kill -INT "$cpid"; wait "$cpid" || true; cpid=
    python3 - "$work/cap.json" "$round" "$label" "$out" $(( s1 - s0 )) <<'PY'
import json, re, sys
a = json.load(open(sys.argv[1])); out = sys.argv[4]
sec = float(re.search(r"seconds=([0-9.]+)", out).group(1)); sent = int(re.search(r"offered=([0-9]+)", out).group(1))
print(f"round {sys.argv[2]} {sys.argv[3]:16s} {(a['received'] - a['ring_lost']) / sec / 1e6:.3f} Mpps  generator "
      f"{sent / sec / 1e6:.3f} Mpps  received {a['received']} of {sent}  lost at socket {a['socket_lost']}  "
      f"at ring {a['ring_lost']}  balanced {a['balanced']}  sleeps {sys.argv[5]}")
PY
  done
done
