#!/usr/bin/env python3
"""Turns the raw rows Scripts/bench.sh collects into the Markdown section of Benchmarks/RESULTS.md."""
import os, platform, sys
from collections import defaultdict

path, packets, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [l.split() for l in open(path) if l.strip()]
DATE = "2026-11-29"  # the project's benchmark date; change with the run
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
cores = sum(1 for l in open("/proc/cpuinfo") if l.startswith("processor"))
load = open("/proc/loadavg").read().split()[0]
out = [f"### Scripts/bench.sh: offline{' and live' if any(r[0].startswith('live') for r in rows) else ''} ({DATE})", "",
       f"Machine: {cpu}, {cores} vCPUs, kernel {platform.release()}, load average {load} at the end (shared VM: "
       "compare ratios within this run). Command: `" + command + "`.", ""]

NAMES = {
    "tapline-nol7": "tapline analyze --no-l7, 1 worker", "tapline-nol7-2w": "tapline analyze --no-l7, 2 workers",
    "tapline-l7": "tapline analyze (L7), 1 worker", "tapline-l7-2w": "tapline analyze (L7), 2 workers",
    "tcpdump": "tcpdump -r -w /dev/null (read floor)", "softflowd": "softflowd -r",
    "tshark": "tshark -T fields SNI + DNS name (one run)", "nfstream": "nfstream, DPI (one run)",
}
times = defaultdict(dict)
irs = defaultdict(dict)
misses = {}
profiles = []
for r in rows:
    if len(r) >= 4 and r[1] in NAMES:
        if r[0] not in profiles: profiles.append(r[0])
        times[r[0]][r[1]] = (float(r[2]), int(r[3]))
    elif len(r) == 6 and r[1].startswith("ir-") and r[2] and r[3]:
        irs[r[0]][r[1][3:]] = (int(r[3]) - int(r[2])) / (int(r[5]) - int(r[4]))
    elif len(r) == 8 and r[1] == "cachemiss":  # PROF cachemiss D1(s1) LLd(s1) D1(s2) LLd(s2) small big
        misses[r[0]] = ((int(r[4]) - int(r[2])) / (int(r[7]) - int(r[6])), (int(r[5]) - int(r[3])) / (int(r[7]) - int(r[6])))

for prof in profiles:
    t = times[prof]
    base = t.get("tapline-nol7", (0, 0))[0]
    out += [f"**{prof}** ({packets:,} packets of `tapline synth --profile {prof} --seed 1`):", "",
            "| reader | packets/s | tapline --no-l7 is | instructions/packet | peak RSS |",
            "|---|---:|---:|---:|---:|"]
    for key, name in NAMES.items():
        if key not in t: continue
        s, rss = t[key]
        ipp = irs[prof].get(key)
        out.append(f"| {name} | {packets / s:,.0f} | {s / base:.2f}× its speed | "
                   f"{f'{ipp:,.0f}' if ipp else '—'} | {rss / 1024:,.0f} MiB |")
    out.append("")
out.append("Seconds are the best of 3 wall-clock runs (one for tshark and nfstream), file in the page cache; "
           "instructions per packet are callgrind's, marginal between files of 1/20 and 1/10 the packets "
           "(start-up cancels); peak RSS is getrusage's ru_maxrss of the child. — : not measured "
           "(callgrind would take hours for tshark and nfstream).")
out.append("")

# Scaling.
sc = ["#### Scaling: workers, flows, memory", "",
      "| profile | 1 worker pps | 2 workers pps | 2/1 | simulated D1 misses/packet | LL misses/packet |",
      "|---|---:|---:|---:|---:|---:|"]
for prof in profiles:
    t = times[prof]
    if "tapline-nol7" in t and "tapline-nol7-2w" in t:
        one, two = packets / t["tapline-nol7"][0], packets / t["tapline-nol7-2w"][0]
        m = misses.get(prof, (float("nan"), float("nan")))
        sc.append(f"| {prof} (--no-l7) | {one:,.0f} | {two:,.0f} | {two / one:.2f} | {m[0]:.1f} | {m[1]:.2f} |")
    if "tapline-l7" in t and "tapline-l7-2w" in t:
        one, two = packets / t["tapline-l7"][0], packets / t["tapline-l7-2w"][0]
        sc.append(f"| {prof} (L7) | {one:,.0f} | {two:,.0f} | {two / one:.2f} | | |")
sc.append("")
for r in rows:
    if r[0].startswith("memory-") and len(r) == 5:
        fa, ra, fb, rb = map(int, r[1:])
        per = (rb - ra) * 1024 / (fb - fa)
        sc.append(f"- Resident memory per live flow, {'L2–L4 only' if r[0] == 'memory-nol7' else 'L7 on'}: "
                  f"**{per:,.0f} bytes** (peak RSS {ra / 1024:,.0f} MiB at {fa:,} flows, {rb / 1024:,.0f} MiB at {fb:,}; "
                  "400,000 packets of `mix`, idle timeout 1 h so every flow stays)")
    if r[0] == "perf":
        sc.append("- Hardware counters: " + ("perf is not installed." if r[1] == "missing" else "unavailable in this VM (`perf stat`: `<not supported>`; the kernel says "
                  "\"no PMU driver, software events only\"); cache misses above are cachegrind's simulation "
                  "(D1 32 KiB, LL as detected), a relative figure." if r[1] == "unsupported" else f"perf stat: {' '.join(r[1:])}"))
out += sc + [""]

live = [r for r in rows if r[0].startswith("live-")]
if live:
    out += ["#### Live: veth lab (two namespaces, one veth pair, native XDP on the receiver)", "",
            "Frames: 100,000 of `synth --profile small` (minimal frames). Counted at the receiver (its rx_packets, "
            "which on a veth counts frames its XDP program saw). Each run, same file, same receiver (bare XDP_DROP): "
            "`tapline replay --topspeed --loop 30` (AF_XDP copy mode, 3,000,000 frames), `tcpreplay --topspeed --loop 3` "
            "(300,000 frames), `tapline replay --engine xdp --topspeed --loop 100` (the in-kernel generator, 10,000,000 "
            "frames). pps = frames received / the sender's own seconds.", "",
            "| run | replay (AF_XDP): received | pps | tcpreplay: received | pps | replay --engine xdp: received | pps | "
            "AF_XDP / tcpreplay | xdp / tcpreplay |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rep = {r[1]: r for r in live if r[0] == "live-replay"}
    tcp = {r[1]: r for r in live if r[0] == "live-tcpreplay"}
    kern = {r[1]: r for r in live if r[0] == "live-replay-xdp"}
    ratios, kratios = [], []
    def pps(r): return int(r[2]) / float(r[3]) if r and float(r[3]) > 0 else 0
    for run in sorted(rep):
        a = rep[run]; b = tcp.get(run); k = kern.get(run)
        pa, pb, pk = pps(a), pps(b), pps(k)
        ratios.append(pa / pb if pb else 0)
        if k: kratios.append(pk / pb if pb else 0)
        out.append(f"| {run} | {int(a[2]):,} of {int(a[5]):,} | {pa:,.0f} | {int(b[2]) if b else 0:,} of {int(b[5]) if b else 0:,} | "
                   f"{pb:,.0f} | {int(k[2]) if k else 0:,} of {int(k[5]) if k else 0:,} | {pk:,.0f} | "
                   f"{pa / pb if pb else 0:.2f}× | {pk / pb if pb else 0:.2f}× |")
    out.append("")
    if ratios:
        out.append(f"- The XDP_DROP ceiling with each generator is its column (the receiver drops everything it gets). "
                   f"Against tcpreplay: AF_XDP **{min(ratios):.2f}–{max(ratios):.2f}×**"
                   + (f", in-kernel generator **{min(kratios):.2f}–{max(kratios):.2f}×**" if kratios else "")
                   + " (target ≥ 4×).")
    for r in live:
        if r[0] == "live-tcpdump":
            rate, offered, cap, kd = map(int, r[1:])
            loss = offered - cap
            out.append(f"- `tcpdump -i IF -w /dev/null` on the receiver (XDP_PASS), `tapline replay --rate {rate:,}` for "
                       f"~5 s: {offered:,} sent, {cap:,} captured, {kd:,} dropped by the kernel: loss "
                       f"**{loss / offered * 100 if offered else 0:.1f}%**.")
    for r in rows:
        if r[0] == "capture":
            out.append("- Live capture (`tapline capture`): not measured: this build has no `tapline capture`.")
    caps = [r for r in rows if r[0].startswith("capture-") and r[0] not in ("capture-zeroloss", "capture-tcpdump", "capture-pinned")]
    pinned = any(r[0] == "capture-pinned" and r[1] != "0" for r in rows)
    def capture_table(caps, title, generator):
        global out
        out += ["", f"#### Live capture in the lab ({title})", "",
                "`tapline capture` on the receiver (prefilter `default capture`, one RX queue, AF_XDP copy mode); "
                f"generator: {generator}. Rate = frames dissected (rxdrop: returned) by capture — received less "
                "those lost at a worker ring — over the replay's own seconds. "
                + ("Pinned: the generator on CPU 0 (`--cores 0`; on a veth the receiving end's XDP and copy run in its "
                   "softirq), capture's threads on CPU 1 (`--cores 1`: in pipeline mode the ingest thread and the worker "
                   "share it). " if pinned else "")
                + "Modes take turns, round after round.", "",
                "| run | mode | received | of sent | pps | lost at socket | lost at ring | account balanced | ratio to rxdrop |",
                "|---|---|---:|---:|---:|---:|---:|---|---:|"]
        rates = {}
        for r in caps:
            mode, run = r[0][len("capture-"):].rsplit("-", 1)
            mode = mode.removeprefix("xdp")
            rec, sec, sent, offered, sl, rl, bal = int(r[1]), float(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), r[7] == "1"
            rates[(mode, run)] = ((rec - rl) / sec if sec else 0, rec, sent, sl, rl, bal)
        for (mode, run), (pps, rec, sent, sl, rl, bal) in sorted(rates.items(), key=lambda x: (int(x[0][1]), x[0][0])):
            base = rates.get(("rxdrop", run), (0,))[0]
            out.append(f"| {run} | {mode} | {rec:,} | {sent:,} | {pps:,.0f} | {sl:,} | {rl:,} | {'yes' if bal else 'NO'} | "
                       f"{pps / base if base else 0:.2f} |")
        out.append("")
        pipe = [v[0] / rates[("rxdrop", run)][0] for (m, run), v in rates.items() if m == "pipeline" and rates.get(("rxdrop", run), (0,))[0]]
        if pipe:
            med = sorted(pipe)[len(pipe) // 2] if len(pipe) % 2 else sum(sorted(pipe)[len(pipe) // 2 - 1:len(pipe) // 2 + 1]) / 2
            out.append(f"- Pipeline (L2–L4 + flows) against the rxdrop ceiling of the same round: **{min(pipe):.2f}–{max(pipe):.2f}**, "
                       f"median **{med:.2f}** over {len(pipe)} rounds (target ≥ 0.9).")
        best = {}
        for (m, run), v in rates.items():
            best[m] = max(best.get(m, 0), v[0])
        if best.get("rxdrop") and best.get("pipeline"):
            out.append(f"- Best round of each mode (interference only slows a round down): rxdrop {best['rxdrop']:,.0f} pps, "
                       f"run to completion {best.get('rtc', 0):,.0f} pps ({best.get('rtc', 0) / best['rxdrop']:.2f}), "
                       f"pipeline {best['pipeline']:,.0f} pps (**{best['pipeline'] / best['rxdrop']:.2f}** of rxdrop, "
                       f"{best['pipeline'] / best['rtc'] if best.get('rtc') else 0:.2f} of run to completion).")

    xsk = [r for r in caps if not r[0].startswith("capture-xdp") and not r[0].startswith("capture-zeroloss")]
    xdp = [r for r in caps if r[0].startswith("capture-xdp")]
    if xsk:
        capture_table(xsk, "generator: `tapline replay --topspeed --loop 30`, 3,000,000 frames",
                      "`tapline replay` through AF_XDP (copy mode)")
    if xdp:
        capture_table(xdp, "generator: `tapline replay --engine xdp --topspeed --loop 100`, 10,000,000 frames",
                      "the in-kernel generator, `tapline replay --engine xdp`")
    for r in rows:
        if r[0] == "capture-zeroloss":
            why = ""
            if len(r) >= 5 and r[2] == "loss":
                why = f"; at {int(r[3]):,} pps capture lost {int(r[4]):,} frames"
            elif len(r) >= 5 and r[2] == "generator":
                why = f"; at {int(r[3]):,} pps the generator reached only {int(r[4]):,} pps, so higher rates were not measured"
            out.append(f"- Highest offered rate with zero loss over 10 s (run to completion, L2–L4, pinned like the rounds above, rates tried 100k–1M pps): "
                       f"**{int(r[1]):,} pps**" + (" (none of the rates tried)" if int(r[1]) == 0 else "") + why)
        if r[0] == "capture-tcpdump":
            rate, offered, cap, kd = map(int, r[1:])
            out.append(f"- `tcpdump -i IF -w /dev/null` at that rate for 10 s: {offered:,} sent, {cap:,} captured, "
                       f"{kd:,} dropped by the kernel: loss **{(offered - cap) / offered * 100 if offered else 0:.1f}%**.")
    out.append("")
print("\n".join(out))
