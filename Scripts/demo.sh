#!/usr/bin/env bash
# The main job on an embedded default: a lab of two network namespaces joined by a veth pair
# (made here, removed on exit and on Ctrl-C), the XDP prefilter and AF_XDP capture on one end,
# synthesized traffic replayed into the other through AF_XDP, live stats, and a summary of the
# flows found. Without root or XDP support it says why and analyzes the same traffic from a file.
# Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/setup.sh >/dev/null
echo "== building tapline (release)"
swift build -c release --product tapline 2>&1 | tail -1
bin=$PWD/.build/release/tapline

work=$(mktemp -d "${TMPDIR:-/tmp}/tapline-demo.XXXXXX")
tag="$$"
gns="tl-demo-g-$tag" rns="tl-demo-r-$tag" gif="tldg$tag" rif="tldr$tag"
capture_pid=""
cleanup() {
  if [ -n "$capture_pid" ] && kill -0 "$capture_pid" 2>/dev/null; then
    kill -INT "$capture_pid" 2>/dev/null || true
    wait "$capture_pid" 2>/dev/null || true
  fi
  if [ -e "/run/netns/$rns" ]; then
    nsenter --net="/run/netns/$rns" "$bin" detach -i "$rif" >/dev/null 2>&1 || true
  fi
  ip netns del "$gns" 2>/dev/null || true
  ip netns del "$rns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== tapline synth --profile mix --flows 2000 --packets 60000"
"$bin" synth --profile mix --flows 2000 --packets 60000 --seed 7 -o "$work/mix.pcap" --manifest "$work/mix.json"

show_records() {
  echo "== a few flow records"
  if command -v jq >/dev/null 2>&1; then
    grep -m 8 -E '"dport":(53|443|80|22)[,}]' "$1" | jq -c '{src,sport,dst,dport,proto,a_pkts,b_pkts,end_reason,app,name:(.tls.sni // .quic.sni // .dns.qname // .http.host // .ssh.client)}'
  else
    grep -m 8 -E '"dport":(53|443|80|22)[,}]' "$1"
  fi
  echo "== $(wc -l < "$1") flow records in all"
}

fallback() {
  echo "== live capture is not possible here: $1"
  echo "== tapline analyze --workers 2 (the same pipeline on the synthesized file)"
  "$bin" analyze --workers 2 "$work/mix.pcap" -o "$work/flows.ndjson"
  show_records "$work/flows.ndjson"
  exit 0
}

[ "$(id -u)" = 0 ] || fallback "it needs root (CAP_NET_ADMIN and CAP_BPF) to make the lab and attach XDP"
ip netns add "$gns" 2>/dev/null || fallback "cannot create network namespaces (ip netns add)"
ip netns add "$rns"
ip link add "$gif" netns "$gns" type veth peer name "$rif" netns "$rns" 2>/dev/null \
  || fallback "cannot create a veth pair"
for pair in "$gns $gif" "$rns $rif"; do
  set -- $pair
  ip -n "$1" link set "$2" addrgenmode none
  # The synthesized mix has full-size frames with two VLAN tags (1522 bytes): a veth forwards a
  # frame only up to its MTU + 18, so the lab's MTU leaves room for them.
  ip -n "$1" link set "$2" mtu 1600
  ip -n "$1" link set "$2" up
done
echo "== lab: $gif (namespace $gns) <-> $rif (namespace $rns)"

echo "== tapline capture -i $rif (prefilter + AF_XDP, stats every second)"
nsenter --net="/run/netns/$rns" "$bin" capture -i "$rif" --flows "$work/flows.ndjson" --stats-interval 1 \
  --no-metrics 2> >(sed 's/^/   capture | /' >&2) &
capture_pid=$!
for _ in $(seq 1 200); do
  [ -e "/sys/fs/bpf/tapline/$rif/counters" ] && break
  kill -0 "$capture_pid" 2>/dev/null || fallback "capture did not start (see its message above)"
  sleep 0.05
done
[ -e "/sys/fs/bpf/tapline/$rif/counters" ] || fallback "the prefilter did not attach in time"

echo "== tapline replay -i $gif (AF_XDP transmit, 3 loops at 20000 packets/s)"
if ! "$bin" replay -i "$gif" --netns "$gns" --rate 20000 --loop 3 "$work/mix.pcap" > "$work/replay.txt" 2>&1; then
  cat "$work/replay.txt"
  fallback "the replayer could not transmit into the lab"
fi
tail -n 3 "$work/replay.txt" | sed 's/^/   replay  | /'
sleep 1.5

echo "== stopping capture (SIGINT): drain, flush, detach, account"
kill -INT "$capture_pid"
wait "$capture_pid" || true
capture_pid=""
show_records "$work/flows.ndjson"
