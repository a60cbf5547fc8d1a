#!/usr/bin/env bash
# Tapline's benchmark in one run: offline throughput of `tapline analyze` against its peers on the
# same synthesized files, and with --live the veth-lab figures (XDP_DROP ceiling with `tapline
# replay` as generator, tcpreplay against `tapline replay --topspeed`, tcpdump loss at a rate,
# and live capture when `tapline capture` exists). Results go to Benchmarks/RESULTS.md as a dated
# section (machine, command, date); --no-write only prints them.
#
# Usage: Scripts/bench.sh [--packets N] [--profiles "mix small"] [--live] [--rate PPS] [--no-write] [--no-peers]
#                        [--capture-rounds N]   (live capture rounds per generator, default 3)
#
# Offline, per profile (one file each, `tapline synth --seed 1`):
#   tapline analyze --no-l7 (1 and 2 workers), tapline analyze (L7 on), tcpdump -r -w /dev/null
#   (the libpcap read floor), softflowd -r, tshark -T fields, nfstream (when installable):
#   packets/s (best of 3; tshark and nfstream once), peak RSS (getrusage of the child), the ratio
#   of each to `tapline analyze --no-l7`; instructions per packet (callgrind, marginal between two
#   file sizes so start-up cancels) for tapline, tcpdump and softflowd.
# Scaling: 1 vs 2 workers per profile, resident memory per flow (marginal between two flow counts),
#   simulated cache misses per packet (cachegrind; the VM has no hardware counters: perf stat says
#   "<not supported>" here).
# Needs root for --live (namespaces, XDP). Everything it creates is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Profiles: NAME:PACKETS_PER_FLOW. Add a profile here once `tapline synth --profile NAME` exists.
PROFILES=(mix:20 small:20 dns:4 elephant:50000)

packets=2000000
live=
write=1
peers=1
rate=200000
only=
capture_rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) packets=$2; shift 2 ;;
    --profiles) only=$2; shift 2 ;;
    --live) live=1; shift ;;
    --rate) rate=$2; shift 2 ;;
    --no-write) write=; shift ;;
    --no-peers) peers=; shift ;;
    --capture-rounds) capture_rounds=$2; shift 2
                      [[ "$capture_rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --capture-rounds takes a positive number" >&2; exit 2; } ;;
    -h|--help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -n "$only" ]; then
  sel=()
  for want in $only; do
    found=
    for p in "${PROFILES[@]}"; do [ "${p%%:*}" = "$want" ] && { sel+=("$p"); found=1; }; done
    [ -n "$found" ] || sel+=("$want:20")
  done
  PROFILES=("${sel[@]}")
fi

Scripts/setup.sh >/dev/null
echo "bench: building release"
swift build -c release --product tapline 2>&1 | tail -1
bin=$root/.build/release/tapline
work=$(mktemp -d "${TMPDIR:-/tmp}/tapline-bench.XXXXXX")
results=$work/results.txt
: > "$results"
LAB_GEN=; LAB_RX=
cleanup() {
  [ -n "$LAB_GEN" ] && ip netns del "$LAB_GEN" 2>/dev/null || true
  [ -n "$LAB_RX" ] && ip netns del "$LAB_RX" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# measure CMD…: runs once; prints "SECONDS MAXRSS_KB" (getrusage of the child, like time -v).
cat > "$work/measure.py" <<'PY'
import os, resource, subprocess, sys, time
s = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
e = time.monotonic()
print(f"{e - s:.6f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {rc}")
PY
measure() { python3 "$work/measure.py" "$@"; }
# best3 CMD…: best seconds of 3 runs and the largest peak RSS: "SECONDS MAXRSS_KB".
best3() {
  local b=999999 m=0 out t r
  for _ in 1 2 3; do
    out=$(measure "$@"); t=${out%% *}; r=$(echo "$out" | cut -d' ' -f2)
    b=$(python3 -c "print(min($b, $t))"); [ "$r" -gt "$m" ] && m=$r
  done
  echo "$b $m"
}
row() { echo "$*" >> "$results"; }   # TAG FIELDS… for the report below

# valgrind 3.19 cannot read the toolchain's DWARF 5: instructions are counted on a copy without it.
objcopy --strip-debug "$bin" "$work/tapline-nodebug"
# A tool that fails under valgrind leaves its cell empty ("—") rather than stopping the run.
ir() { { valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" 2>&1 || true; } | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
d1miss() { { valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$work/cachegrind.out" "$@" 2>&1 || true; } \
             | sed -n 's/.*D1  misses: *\([0-9,]*\).*/\1/p;s/.*LLd misses: *\([0-9,]*\).*/\1/p' | tr -d , | paste -sd' '; }

if [ -n "$peers" ]; then
  python3 -c 'import nfstream' 2>/dev/null || pip install -q nfstream >/dev/null 2>&1 \
    || pip install -q --break-system-packages nfstream >/dev/null 2>&1 || true
  cat > "$work/nfs.py" <<'NFS'
import sys, nfstream
for _ in nfstream.NFStreamer(source=sys.argv[1], n_dissections=20, statistical_analysis=False, n_meters=1):
    pass
NFS
fi

small=$((packets / 20)); big=$((packets / 10))
for entry in "${PROFILES[@]}"; do
  prof=${entry%%:*}; ppf=${entry##*:}
  flows=$(( packets / ppf )); [ "$flows" -ge 1 ] || flows=1
  f=$work/$prof.pcap
  echo "bench: $prof: synthesizing $packets packets, $flows flows"
  "$bin" synth --profile "$prof" --flows "$flows" --packets "$packets" --seed 1 -o "$f" 2>/dev/null
  cat "$f" > /dev/null
  # Tapline and the read floor, best of 3.
  row "$prof tapline-nol7 $(best3 "$bin" analyze --no-l7 --quiet --no-progress "$f" -o /dev/null)"
  row "$prof tapline-nol7-2w $(best3 "$bin" analyze --no-l7 --quiet --no-progress --workers 2 "$f" -o /dev/null)"
  row "$prof tapline-l7 $(best3 "$bin" analyze --quiet --no-progress "$f" -o /dev/null)"
  row "$prof tapline-l7-2w $(best3 "$bin" analyze --quiet --no-progress --workers 2 "$f" -o /dev/null)"
  row "$prof tcpdump $(best3 tcpdump -r "$f" -w /dev/null)"
  if [ -n "$peers" ]; then
    # softflowd: NetFlow v9 to a loopback port nobody listens on; -D exits at the end of the file.
    row "$prof softflowd $(best3 softflowd -D -r "$f" -n 127.0.0.1:9 -v 9 -m 1000000 -p "$work/sf.pid" -c none)"
    row "$prof tshark $(measure tshark -r "$f" -T fields -e tls.handshake.extensions_server_name -e dns.qry.name | cut -d' ' -f1,2)"
    if python3 -c 'import nfstream' 2>/dev/null; then
      row "$prof nfstream $(measure python3 "$work/nfs.py" "$f" | cut -d' ' -f1,2)"
    fi
  fi
  # Instructions per packet: marginal between two smaller files of the same profile and density.
  "$bin" synth --profile "$prof" --flows $(( small / ppf > 0 ? small / ppf : 1 )) --packets $small --seed 1 -o "$work/s1.pcap" 2>/dev/null
  "$bin" synth --profile "$prof" --flows $(( big / ppf > 0 ? big / ppf : 1 )) --packets $big --seed 1 -o "$work/s2.pcap" 2>/dev/null
  for tool in tapline-nol7 tapline-l7 tcpdump softflowd; do
    case $tool in
      tapline-nol7) c=("$work/tapline-nodebug" analyze --no-l7 --quiet --no-progress) ; o=(-o /dev/null) ;;
      tapline-l7) c=("$work/tapline-nodebug" analyze --quiet --no-progress) ; o=(-o /dev/null) ;;
      # -Z root: tcpdump otherwise drops to its own user, which valgrind cannot follow.
      tcpdump) c=(tcpdump -Z root -r) ; o=(-w /dev/null) ;;
      softflowd) [ -n "$peers" ] || continue; c=(softflowd -D -n 127.0.0.1:9 -v 9 -p "$work/sf.pid" -c none -r) ; o=() ;;
    esac
    i1=$(ir "${c[@]}" "$work/s1.pcap" "${o[@]}"); i2=$(ir "${c[@]}" "$work/s2.pcap" "${o[@]}")
    row "$prof ir-$tool $i1 $i2 $small $big"
  done
  # Scaling inputs: simulated data-cache misses (cachegrind) per packet, marginal, tapline --no-l7.
  m1=$(d1miss "$work/tapline-nodebug" analyze --no-l7 --quiet --no-progress "$work/s1.pcap" -o /dev/null)
  m2=$(d1miss "$work/tapline-nodebug" analyze --no-l7 --quiet --no-progress "$work/s2.pcap" -o /dev/null)
  row "$prof cachemiss $m1 $m2 $small $big"
done

# Resident memory per flow: peak RSS of `analyze --no-l7` and with L7 at two flow counts (same packets).
nflows_a=20000; nflows_b=200000
"$bin" synth --profile mix --flows $nflows_a --packets 400000 --seed 1 -o "$work/fa.pcap" 2>/dev/null
"$bin" synth --profile mix --flows $nflows_b --packets 400000 --seed 1 -o "$work/fb.pcap" 2>/dev/null
for mode in nol7 l7; do
  arg=; [ $mode = nol7 ] && arg=--no-l7
  ra=$(measure "$bin" analyze $arg --quiet --no-progress --idle-timeout 3600 "$work/fa.pcap" -o /dev/null | cut -d' ' -f2)
  rb=$(measure "$bin" analyze $arg --quiet --no-progress --idle-timeout 3600 "$work/fb.pcap" -o /dev/null | cut -d' ' -f2)
  row "memory-$mode $nflows_a $ra $nflows_b $rb"
done
if ! command -v perf >/dev/null; then
  row "perf missing"
elif perf stat -e cache-misses -- true 2>&1 | grep -q 'not supported'; then
  row "perf unsupported"
else
  perf stat -x, -e cache-misses,instructions -o "$work/perf.txt" "$bin" analyze --no-l7 --quiet --no-progress "$work/${PROFILES[0]%%:*}.pcap" -o /dev/null >/dev/null 2>&1 || true
  row "perf $(grep -E 'cache-misses|instructions' "$work/perf.txt" | cut -d, -f1 | paste -sd' ') $packets"
fi

# ---------------------------------------------------------------------------------------------
# The veth lab: two namespaces of this run's own, a veth pair between them; the receiver end runs
# a native XDP program (bare XDP_DROP, or XDP_PASS for tcpdump), without which frames sent by
# AF_XDP on a veth never arrive. Counts are the receiver's rx_packets (veth counts XDP frames there).
lab_up() {
  local tag; tag=$(printf '%x' $(( $$ % 65536 )))$(printf '%x' $((RANDOM)))
  LAB_GEN=tlb-g-$tag; LAB_RX=tlb-r-$tag; GEN_IF=bg$tag; RX_IF=br$tag
  ip netns add "$LAB_GEN"; ip netns add "$LAB_RX"
  ip link add "$GEN_IF" netns "$LAB_GEN" type veth peer name "$RX_IF" netns "$LAB_RX"
  ip -n "$LAB_GEN" link set "$GEN_IF" addrgenmode none
  ip -n "$LAB_RX" link set "$RX_IF" addrgenmode none
  ip -n "$LAB_GEN" link set "$GEN_IF" up; ip -n "$LAB_RX" link set "$RX_IF" up
  local clang; clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
  for verdict in DROP PASS; do
    printf '#include <linux/bpf.h>\n__attribute__((section("xdp"), used)) int xdp_%s(struct xdp_md *c) { return XDP_%s; }\nchar _license[] __attribute__((section("license"), used)) = "GPL";\n' \
      "$verdict" "$verdict" > "$work/xdp_$verdict.c"
    "$clang" -target bpf -O2 -I/usr/include/x86_64-linux-gnu -c "$work/xdp_$verdict.c" -o "$work/xdp_$verdict.o"
  done
}
rx_xdp() { ip -n "$LAB_RX" link set dev "$RX_IF" xdp off 2>/dev/null || true
           [ "$1" = off ] || ip -n "$LAB_RX" link set dev "$RX_IF" xdpdrv obj "$work/xdp_$1.o" sec xdp; }
rx_packets() { ip -n "$LAB_RX" -s -j link show dev "$RX_IF" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }
now() { date +%s.%N; }

# Live capture figures. Each measurement starts `tapline capture` in the receiver's namespace (the
# prefilter replaces the bare program there), replays the flood into it and stops it with SIGINT;
# its --summary-json gives the account. Rates are frames received by capture over the replay's
# own seconds. Modes: rxdrop (the AF_XDP receive ceiling: each frame returned at once), run to
# completion with L2-L4 + flows (--no-l7), pipeline with one worker (--no-l7).
capture_run() {   # NAME REPLAY-ARGS... -- CAPTURE-ARGS...
  local name=$1; shift
  local rargs=() cargs=()
  while [ "$1" != "--" ]; do rargs+=("$1"); shift; done; shift
  cargs=("$@")
  rx_xdp off
  nsenter --net="/run/netns/$LAB_RX" "$bin" capture -i "$RX_IF" --no-metrics --quiet --frames 8192 --ring-size 4096 \
    --summary-json "$work/cap-$name.json" "${cargs[@]}" 2> "$work/cap-$name.err" &
  local cpid=$!
  for _ in $(seq 1 200); do [ -e "/sys/fs/bpf/tapline/$RX_IF/counters" ] && break; sleep 0.05; done
  if ! [ -e "/sys/fs/bpf/tapline/$RX_IF/counters" ]; then
    echo "bench: capture ($name) did not start:" >&2; cat "$work/cap-$name.err" >&2
    kill -INT "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true
    return 1
  fi
  local out; out=$(gen "${rargs[@]}" "$flood" | grep replay-summary)
  sleep 0.5
  kill -INT "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true
  python3 - "$work/cap-$name.json" "$name" "$out" >> "$results" <<'PY'
import json, re, sys
a = json.load(open(sys.argv[1])); name = sys.argv[2]; out = sys.argv[3]
sec = float(re.search(r"seconds=([0-9.]+)", out).group(1)); sent = int(re.search(r"offered=([0-9]+)", out).group(1))
print(f"capture-{name} {a['received']} {sec} {sent} {a['offered']} {a['socket_lost']} {a['ring_lost']} {int(a['balanced'])}")
PY
}

live_capture_figures() {
  # ArgumentParser answers `X --help` for an unknown X with status 0: look for it in the command list.
  if ! "$bin" --help 2>/dev/null | grep -qE '^ +capture '; then
    row "capture skipped"
    return
  fi
  # Pinned where there are two CPUs or more: the generator (and with it the receiving end's XDP
  # and copy into the UMEM, which run in its softirq on a veth) on CPU 0, capture's threads on CPU 1.
  local pg=() pc=()
  if [ "$(nproc)" -ge 2 ]; then pg=(--cores 0); pc=(--cores 1); fi
  for run in $(seq "$capture_rounds"); do
    capture_run rxdrop-$run --topspeed --loop 30 "${pg[@]}" -- --rxdrop "${pc[@]}"
    capture_run rtc-$run --topspeed --loop 30 "${pg[@]}" -- --no-l7 "${pc[@]}"
    capture_run pipeline-$run --topspeed --loop 30 "${pg[@]}" -- --no-l7 --pipeline --workers 1 "${pc[@]}"
  done
  # The same modes under the in-kernel generator (`replay --engine xdp`, 10,000,000 frames a run),
  # which offers ~3× what one capture CPU takes.
  for run in $(seq "$capture_rounds"); do
    capture_run xdprxdrop-$run --engine xdp --topspeed --loop 100 "${pg[@]}" -- --rxdrop "${pc[@]}"
    capture_run xdprtc-$run --engine xdp --topspeed --loop 100 "${pg[@]}" -- --no-l7 "${pc[@]}"
    capture_run xdppipeline-$run --engine xdp --topspeed --loop 100 "${pg[@]}" -- --no-l7 --pipeline --workers 1 "${pc[@]}"
  done
  row "capture-pinned ${#pg[@]}"
  # The highest offered rate capture (run to completion, L2-L4) takes for 10 s without losing a frame,
  # pinned as above.
  # A rate counts only when the generator really offered it (within 3 %): the search stops at the
  # first rate where capture lost a frame or the generator fell short, and says which.
  local best=0 stop="none" at=0 detail=0
  for r in 100000 200000 300000 400000 500000 600000 700000 800000 900000 1000000; do
    capture_run zeroloss-$r --rate "$r" --loop $(( r * 10 / nflood )) "${pg[@]}" -- --no-l7 "${pc[@]}"
    local last; last=$(tail -n 1 "$results")
    echo "bench: zero-loss search at $r pps: $last" >&2
    if ! echo "$last" | awk -v r="$r" '{exit !($3 > 0 && $4 / $3 >= 0.97 * r)}'; then
      stop=generator; at=$r; detail=$(echo "$last" | awk '{printf "%d", ($3 > 0 ? $4 / $3 : 0)}'); break
    fi
    if echo "$last" | awk '{exit !($6 == 0 && $7 == 0 && $2 == $4 && $5 == $4)}'; then best=$r; else
      stop=loss; at=$r; detail=$(echo "$last" | awk '{print $4 - $2 + $7}'); break
    fi
  done
  row "capture-zeroloss $best $stop $at $detail"
  # tcpdump (AF_PACKET) at that same rate for 10 s, the receiver passing frames to the stack.
  if [ "$best" -gt 0 ]; then
    rx_xdp PASS
    ip netns exec "$LAB_RX" tcpdump -i "$RX_IF" -w /dev/null -nn 2> "$work/tcpdump-zl.err" &
    local tdpid=$!
    sleep 2
    local out; out=$(gen --rate "$best" --loop $(( best * 10 / nflood )) "$flood" | grep replay-summary)
    sleep 1
    kill -INT "$tdpid"; wait "$tdpid" 2>/dev/null || true
    local cap kd
    cap=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$work/tcpdump-zl.err")
    kd=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$work/tcpdump-zl.err")
    row "capture-tcpdump $best $(echo "$out" | sed 's/.*offered=\([0-9]*\).*/\1/') ${cap:-0} ${kd:-0}"
    rx_xdp off
  fi
}

if [ -n "$live" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench: --live needs root (namespaces, XDP)" >&2; exit 1; }
  command -v tcpreplay >/dev/null || { echo "bench: tcpreplay missing (Scripts/setup.sh installs it)" >&2; exit 1; }
  lab_up
  flood=$work/flood.pcap
  "$bin" synth --profile small --flows 1000 --packets 100000 --seed 1 -o "$flood" 2>/dev/null
  nflood=100000
  gen() { "$bin" replay --netns "$LAB_GEN" -i "$GEN_IF" --no-progress "$@"; }
  # 1. XDP_DROP ceiling, tapline replay --topspeed as generator.
  rx_xdp DROP
  for run in 1 2 3; do
    b=$(rx_packets); s=$(now)
    out=$(gen --topspeed --loop 30 "$flood" | grep replay-summary); e=$(now)
    a=$(rx_packets)
    row "live-replay $run $(( a - b )) $(echo "$out" | sed 's/.*seconds=\([0-9.]*\).*/\1/') $(python3 -c "print($e-$s)") $(echo "$out" | sed 's/.*offered=\([0-9]*\).*/\1/')"
    # 2. tcpreplay into the same lab, same file, same receiver, right after.
    b=$(rx_packets); s=$(now)
    tout=$(ip netns exec "$LAB_GEN" tcpreplay --topspeed --loop 3 -i "$GEN_IF" "$flood" 2>&1 || true); e=$(now)
    a=$(rx_packets)
    tsec=$(echo "$tout" | sed -n 's/.*Actual: [0-9]* packets ([0-9]* bytes) sent in \([0-9.]*\) seconds.*/\1/p')
    row "live-tcpreplay $run $(( a - b )) ${tsec:-0} $(python3 -c "print($e-$s)") $(( 3 * nflood ))"
    # 3. tapline replay --engine xdp (the in-kernel generator), same file, same receiver.
    b=$(rx_packets); s=$(now)
    out=$(gen --engine xdp --topspeed --loop 100 "$flood" | grep replay-summary); e=$(now)
    a=$(rx_packets)
    row "live-replay-xdp $run $(( a - b )) $(echo "$out" | sed 's/.*seconds=\([0-9.]*\).*/\1/') $(python3 -c "print($e-$s)") $(echo "$out" | sed 's/.*offered=\([0-9]*\).*/\1/')"
  done
  # 4. tcpdump -w /dev/null loss at a fixed rate (receiver passes frames to the stack).
  rx_xdp PASS
  loops=$(( rate * 5 / nflood )); [ "$loops" -ge 1 ] || loops=1
  ip netns exec "$LAB_RX" tcpdump -i "$RX_IF" -w /dev/null -nn 2> "$work/tcpdump.err" &
  tdpid=$!
  sleep 2
  out=$(gen --rate "$rate" --loop "$loops" "$flood" | grep replay-summary)
  sleep 1
  kill -INT "$tdpid"; wait "$tdpid" 2>/dev/null || true
  cap=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$work/tcpdump.err")
  kdrop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$work/tcpdump.err")
  row "live-tcpdump $rate $(echo "$out" | sed 's/.*offered=\([0-9]*\).*/\1/') ${cap:-0} ${kdrop:-0}"
  rx_xdp off
  live_capture_figures
fi

nopeers=; [ -n "$peers" ] || nopeers=" --no-peers"
cmd="Scripts/bench.sh --packets $packets${only:+ --profiles \"$only\"}${live:+ --live --rate $rate}$nopeers"
python3 "$root/Benchmarks/bench-report.py" "$results" "$packets" "$cmd" > "$work/report.md"
cat "$work/report.md"
if [ -n "$write" ]; then
  printf '\n' >> Benchmarks/RESULTS.md
  cat "$work/report.md" >> Benchmarks/RESULTS.md
  echo "bench: appended to Benchmarks/RESULTS.md"
fi
