#!/usr/bin/env python3
"""Compare `tapline analyze` with tshark's conversations on a corpus of real captures.

Usage: Scripts/corpus-check.py CORPUS_DIR [--tapline PATH] [--verbose]

CORPUS_DIR holds pcap/ and truth/ (truth/NAME.json per capture, built with tshark; see the
corpus's SOURCES.md). For every capture, Tapline's records are summed per 5-tuple (tshark does
not split conversations by VLAN or by time, so several records of one 5-tuple are added up) and
compared with tshark's per-5-tuple packets and frame bytes in both directions. tshark reassembles
IP fragments and counts a fragmented datagram's earlier fragments apart ("reassembled_ip_fragments");
Tapline counts every fragment to the datagram's flow, so those frames are added to the expectation.
Prints one line per capture and a total; exits 1 if any 5-tuple disagrees.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def canon(proto, a, ap, b, bp):
    """Key independent of direction; returns (key, flipped)."""
    if (a, ap) <= (b, bp):
        return (proto, a, ap, b, bp), False
    return (proto, b, bp, a, ap), True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--tapline", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "tapline"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    pdir = os.path.join(args.corpus, "pcap")
    tdir = os.path.join(args.corpus, "truth")
    total_conv = total_ok = 0
    bad_files = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(pdir)):
            truth_path = os.path.join(tdir, name + ".json")
            if not os.path.exists(truth_path):
                continue
            truth = json.load(open(truth_path))
            out = os.path.join(tmp, "flows.ndjson")
            summ = os.path.join(tmp, "summary.json")
            r = subprocess.run([args.tapline, "analyze", "--quiet", "--no-progress", "--summary-json", summ,
                                os.path.join(pdir, name), "-o", out], capture_output=True, text=True)
            err = r.stderr.strip().splitlines()
            summary = json.load(open(summ)) if os.path.exists(summ) else {}
            ours = {}
            if os.path.exists(out):
                for line in open(out):
                    rec = json.loads(line)
                    if rec["proto"] not in (6, 17):
                        continue
                    key, flipped = canon(rec["proto"], rec["src"], rec["sport"], rec["dst"], rec["dport"])
                    v = ours.setdefault(key, [0, 0, 0, 0])
                    a = (rec["a_pkts"], rec["a_bytes"]); b = (rec["b_pkts"], rec["b_bytes"])
                    if flipped:
                        a, b = b, a
                    v[0] += a[0]; v[1] += a[1]; v[2] += b[0]; v[3] += b[1]
            conv_ok = conv_n = 0
            problems = []
            for l4, proto in (("tcp", 6), ("udp", 17)):
                for c in truth["conversations"].get(l4, []):
                    key, flipped = canon(proto, c["a"], c["a_port"], c["b"], c["b_port"])
                    exp = [c["ab_packets"], c["ab_bytes"], c["ba_packets"], c["ba_bytes"]]
                    if flipped:
                        exp = [exp[2], exp[3], exp[0], exp[1]]
                    frag = c.get("reassembled_ip_fragments")
                    got = ours.get(key, [0, 0, 0, 0])
                    conv_n += 1
                    if frag:
                        ok = (got[0] + got[2] == exp[0] + exp[2] + frag["frames"]
                              and got[1] + got[3] == exp[1] + exp[3] + frag["bytes"])
                    else:
                        ok = got == exp
                    if ok:
                        conv_ok += 1
                    else:
                        problems.append(f"    {l4} {c['a']}:{c['a_port']} <-> {c['b']}:{c['b_port']}: "
                                        f"tshark {exp}{' +frag ' + str(frag) if frag else ''} tapline {got}")
            total_conv += conv_n
            total_ok += conv_ok
            status = "ok" if conv_ok == conv_n else "DIFF"
            if conv_ok != conv_n:
                bad_files.append(name)
            extra = ""
            if summary:
                extra = (f" errors(trunc {summary['truncated']}, malformed {summary['malformed']}, "
                         f"unsupported {summary['unsupported']}) non-ip {summary['non_ip']}")
            if r.returncode != 0:
                extra += f" exit {r.returncode}: {err[-1] if err else ''}"
            print(f"{status:4} {name}: {conv_ok}/{conv_n} conversations agree;{extra}")
            if args.verbose or conv_ok != conv_n:
                for p in problems[:10]:
                    print(p)
                if len(problems) > 10:
                    print(f"    … {len(problems) - 10} more")
    print(f"{total_ok} passed, {total_conv - total_ok} failed")
    print(f"total: {total_ok}/{total_conv} tcp/udp conversations agree with tshark; "
          f"{len(bad_files)} capture(s) with differences")
    return 1 if bad_files else 0


if __name__ == "__main__":
    sys.exit(main())
