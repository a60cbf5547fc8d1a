#!/usr/bin/env bash
# Offline throughput of `tapline analyze` on a synthesized mix — L2–L4 with flows (--no-l7) and with
# application protocols (the default) — against softflowd -r (a flow meter reading the same file),
# tcpdump -r -w /dev/null (the libpcap read floor), nfstream (nDPI-based flow meter with DPI) and
# tshark extracting SNI and DNS names, all in one run.
# Also: instructions per packet (callgrind, marginal between two file sizes, so start-up cost
# cancels) and heap allocations per packet in steady state (memcheck's heap summary, same method).
#
# Usage: Benchmarks/analyze-bench.sh [PACKETS] [--write]   (default 2000000; --write updates RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
packets=${1:-2000000}
write=${2:-}
flows=$((packets / 20))

Scripts/setup.sh >/dev/null
swift build -c release --product tapline 2>&1 | tail -1
bin=$PWD/.build/release/tapline
work=$(mktemp -d "${TMPDIR:-/tmp}/tapline-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

"$bin" synth --profile mix --flows "$flows" --packets "$packets" --seed 1 -o "$work/mix.pcap"
small=$((packets / 20)); big=$((packets / 10))
"$bin" synth --profile mix --flows $((small / 20)) --packets $small --seed 1 -o "$work/s1.pcap"
"$bin" synth --profile mix --flows $((big / 20)) --packets $big --seed 1 -o "$work/s2.pcap"

# Best of 3 wall-clock runs (the file is in the page cache after the first read).
best() {
  local b=999999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}
cat "$work/mix.pcap" > /dev/null
t_tapline=$(best "$bin" analyze --no-l7 --quiet --no-progress "$work/mix.pcap" -o /dev/null)
t_tapline_l7=$(best "$bin" analyze --quiet --no-progress "$work/mix.pcap" -o /dev/null)
t_tapline2=$(best "$bin" analyze --no-l7 --quiet --no-progress --workers 2 "$work/mix.pcap" -o /dev/null)
t_tcpdump=$(best tcpdump -r "$work/mix.pcap" -w /dev/null)
# softflowd exports NetFlow v9 to a loopback port nobody listens on. -D (debug: foreground, IPv6
# tracked) exits at the end of the file; -c none: with a control socket it sometimes blocks in
# accept() after the file and never exits.
t_softflowd=$(best softflowd -D -r "$work/mix.pcap" -n 127.0.0.1:9 -v 9 -m 1000000 -p "$work/sf.pid" -c none)

# nfstream from PyPI (installed here if missing), one meter, DPI on; tshark reading two fields.
# Both are far slower, so they run once.
python3 -c 'import nfstream' 2>/dev/null || pip install -q nfstream >/dev/null 2>&1 || true
cat > "$work/nfs.py" <<'NFS'
import sys, nfstream
for _ in nfstream.NFStreamer(source=sys.argv[1], n_dissections=20, statistical_analysis=False, n_meters=1):
    pass
NFS
once() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || return 1; e=$(date +%s.%N); python3 -c "print($e - $s)"; }
t_nfstream=$(once python3 "$work/nfs.py" "$work/mix.pcap" || echo 0)
t_tshark=$(once tshark -r "$work/mix.pcap" -T fields -e tls.handshake.extensions_server_name -e dns.qry.name || echo 0)

# valgrind 3.19 cannot read the toolchain's DWARF 5: count instructions on a copy without debug info.
objcopy --strip-debug "$bin" "$work/tapline"
ir() { valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/tapline" analyze ${2:-} --quiet --no-progress "$1" -o /dev/null 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
allocs() { valgrind --tool=memcheck --leak-check=no "$work/tapline" analyze ${2:-} --quiet --no-progress "$1" -o /dev/null 2>&1 \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,; }
ir1=$(ir "$work/s1.pcap" --no-l7); ir2=$(ir "$work/s2.pcap" --no-l7)
il1=$(ir "$work/s1.pcap"); il2=$(ir "$work/s2.pcap")
# The same with the JA4 hash cache off: the synthesized mix has only a few distinct ClientHellos,
# so the cache answers nearly all of them (real captures repeat less; docs/ARCHITECTURE.md).
in1=$(ir "$work/s1.pcap" "--ja4-cache 0"); in2=$(ir "$work/s2.pcap" "--ja4-cache 0")
al1=$(allocs "$work/s1.pcap" --no-l7); al2=$(allocs "$work/s2.pcap" --no-l7)
all1=$(allocs "$work/s1.pcap"); all2=$(allocs "$work/s2.pcap")

python3 - "$packets" "$t_tapline" "$t_tapline2" "$t_tcpdump" "$t_softflowd" "$ir1" "$ir2" "$small" "$big" "$al1" "$al2" "$write" \
  "$t_tapline_l7" "$t_nfstream" "$t_tshark" "$il1" "$il2" "$all1" "$all2" "$in1" "$in2" <<'PY'
import sys, datetime, platform, subprocess, os
(n, tt, tt2, td, sf, ir1, ir2, s, b, a1, a2, write, tl7, tnf, tts, il1, il2, al71, al72, in1, in2) = sys.argv[1:]
n = int(n); tt, tt2, td, sf, tl7, tnf, tts = map(float, (tt, tt2, td, sf, tl7, tnf, tts))
ipl = (int(il2) - int(il1)) / (int(b) - int(s))
ipn = (int(in2) - int(in1)) / (int(b) - int(s))
s, b = int(s), int(b)
ipp = (int(ir2) - int(ir1)) / (b - s)
app = (int(a2) - int(a1)) / (b - s)
marginal_records = "per packet, records and all (flows end at about 1 per 20 packets)"
rows = [
    ("tapline analyze --no-l7 (L2–L4 + flows), 1 worker", tt), ("tapline analyze --no-l7, 2 workers", tt2),
    ("tapline analyze (L7 on), 1 worker", tl7),
    ("tcpdump -r -w /dev/null (read floor)", td), ("softflowd -r (flow meter)", sf),
]
if tnf > 0: rows.append(("nfstream, 1 meter, DPI (one run)", tnf))
if tts > 0: rows.append(("tshark -T fields SNI + DNS name (one run)", tts))
cpu = subprocess.run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", shell=True, capture_output=True, text=True).stdout.strip()
out = []
out.append(f"### analyze: {n} packets of `synth --profile mix` ({datetime.date.today()})\n")
out.append(f"Machine: {cpu}, {os.cpu_count()} vCPUs, kernel {platform.release()}. Command: `Benchmarks/analyze-bench.sh {n}`.\n")
out.append("| reader | seconds (best of 3) | packets/s | tapline --no-l7 is |")
out.append("|---|---:|---:|---:|")
for name, t in rows:
    out.append(f"| {name} | {t:.3f} | {n / t:,.0f} | {t / tt:.2f}× its speed |")
out.append("")
out.append(f"- Instructions per packet (callgrind, marginal between {s} and {b} packets, {marginal_records}): **{ipp:.0f}**")
out.append(f"- Heap allocations per packet with L7 on (memcheck, same method): "
           f"**{(int(al72) - int(al71)) / (b - s):.4f}**")
out.append(f"- Heap allocations per packet in steady state, --no-l7 (memcheck, same method): **{app:.4f}** "
           f"({a1} allocations for {s} packets, {a2} for {b})")
out.append(f"- Instructions per packet with L7 on (same method): **{ipl:.0f}** ({(ipl / ipp - 1) * 100:+.0f}% over L2–L4 with flows); "
           f"with the JA4 hash cache off (`--ja4-cache 0`): {ipn:.0f} ({(ipn / ipp - 1) * 100:+.0f}%)")
out.append(f"- L2–L4 + flows against softflowd: **{sf / tt:.2f}×** its packets per second; against the tcpdump read floor: **{td / tt:.2f}×**.")
out.append(f"- L7 on against softflowd: **{sf / tl7:.2f}×**" + (f"; against nfstream: **{tnf / tl7:.1f}×**" if tnf > 0 else "")
           + (f"; against tshark: **{tts / tl7:.0f}×**" if tts > 0 else "") + ".")
text = "\n".join(out) + "\n"
print(text)
if write == "--write":
    path = "Benchmarks/RESULTS.md"
    head = "# Benchmark results\n\nEvery figure comes with its machine, command and date. Shared 2-vCPU VMs are noisy: compare\nratios measured in one run, and instruction counts, rather than absolute seconds.\n\n"
    old = open(path).read() if os.path.exists(path) else head
    if not old.startswith("# Benchmark results"):
        old = head + old
    open(path, "w").write(old.rstrip("\n") + "\n\n" + text)
PY
