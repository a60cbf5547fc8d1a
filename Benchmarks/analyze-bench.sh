#!/usr/bin/env bash
# Offline throughput of `tapline analyze` on a synthesized mix, against softflowd -r (a flow meter
# reading the same file) and tcpdump -r -w /dev/null (the libpcap read floor), in one run.
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
t_tapline=$(best "$bin" analyze --quiet --no-progress "$work/mix.pcap" -o /dev/null)
t_tapline2=$(best "$bin" analyze --quiet --no-progress --workers 2 "$work/mix.pcap" -o /dev/null)
t_tcpdump=$(best tcpdump -r "$work/mix.pcap" -w /dev/null)
# softflowd exports NetFlow v9 to a loopback port nobody listens on. -D (debug: foreground, IPv6
# tracked) exits at the end of the file; -c none: with a control socket it sometimes blocks in
# accept() after the file and never exits.
t_softflowd=$(best softflowd -D -r "$work/mix.pcap" -n 127.0.0.1:9 -v 9 -m 1000000 -p "$work/sf.pid" -c none)

# valgrind 3.19 cannot read the toolchain's DWARF 5: count instructions on a copy without debug info.
objcopy --strip-debug "$bin" "$work/tapline"
ir() { valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/tapline" analyze --quiet --no-progress "$1" -o /dev/null 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
allocs() { valgrind --tool=memcheck --leak-check=no "$work/tapline" analyze --quiet --no-progress "$1" -o /dev/null 2>&1 \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,; }
ir1=$(ir "$work/s1.pcap"); ir2=$(ir "$work/s2.pcap")
al1=$(allocs "$work/s1.pcap"); al2=$(allocs "$work/s2.pcap")

python3 - "$packets" "$t_tapline" "$t_tapline2" "$t_tcpdump" "$t_softflowd" "$ir1" "$ir2" "$small" "$big" "$al1" "$al2" "$write" <<'PY'
import sys, datetime, platform, subprocess, os
(n, tt, tt2, td, sf, ir1, ir2, s, b, a1, a2, write) = sys.argv[1:]
n = int(n); tt, tt2, td, sf = map(float, (tt, tt2, td, sf))
s, b = int(s), int(b)
ipp = (int(ir2) - int(ir1)) / (b - s)
app = (int(a2) - int(a1)) / (b - s)
marginal_records = "per packet, records and all (flows end at about 1 per 20 packets)"
rows = [
    ("tapline analyze, 1 worker", tt), ("tapline analyze, 2 workers", tt2),
    ("tcpdump -r -w /dev/null (read floor)", td), ("softflowd -r (flow meter)", sf),
]
cpu = subprocess.run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", shell=True, capture_output=True, text=True).stdout.strip()
out = []
out.append(f"### analyze: {n} packets of `synth --profile mix` ({datetime.date.today()})\n")
out.append(f"Machine: {cpu}, {os.cpu_count()} vCPUs, kernel {platform.release()}. Command: `Benchmarks/analyze-bench.sh {n}`.\n")
out.append("| reader | seconds (best of 3) | packets/s | tapline 1 worker is |")
out.append("|---|---:|---:|---:|")
for name, t in rows:
    out.append(f"| {name} | {t:.3f} | {n / t:,.0f} | {t / tt:.2f}× its speed |")
out.append("")
out.append(f"- Instructions per packet (callgrind, marginal between {s} and {b} packets, {marginal_records}): **{ipp:.0f}**")
out.append(f"- Heap allocations per packet in steady state (memcheck, same method): **{app:.4f}** "
           f"({a1} allocations for {s} packets, {a2} for {b})")
out.append(f"- Ratio against softflowd: **{sf / tt:.2f}×** its packets per second; against the tcpdump read floor: **{td / tt:.2f}×**.")
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
