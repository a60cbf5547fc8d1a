#!/usr/bin/env python3
"""Compare Tapline's application-layer metadata and classification with tshark and nDPI.

Usage: Scripts/corpus-l7-check.py CORPUS_DIR [--tapline PATH] [--verbose] [--json OUT]

CORPUS_DIR holds pcap/ and truth/ (truth/NAME.json per capture: tshark's DNS names, TLS and QUIC
ClientHello SNI/ALPN, HTTP request hosts/user agents/methods, SSH banners, and nDPI's expected
flow labels). For every capture it runs `tapline analyze`, keys records and truth by the
direction-free 5-tuple, and reports per kind of value:

  flows   flows where tshark shows at least one value of that kind
  found   of those, flows whose record carries one of tshark's values (recall, target >= 99%)
  values  distinct (flow, value) pairs tshark shows, and how many our records carry
  extra   values our records carry that tshark does not show for that flow (target 0)

A record carries one value per field (the first message's), so a 5-tuple that carries several
DNS transactions or HTTP requests counts as found when its record holds one of them; `values`
shows how much of the rest is left out.

JA4: ours against nDPI's, whole and by the two hashes (nDPI's header differs from FoxIO's
specification in places: ALPN's first two characters instead of first and last, `d` without an
SNI extension, SHA-256 of the empty string for no extensions).

Classification: nDPI's label (master protocol, before the '.') against the record's `app`, for
flows whose nDPI protocol Tapline implements (target >= 95%); protocols whose probe is not wired
yet are listed apart.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

# nDPI master protocol -> Tapline app, for the protocols with a parser here.
NDPI_OURS = {"DNS": "dns", "MDNS": "mdns", "LLMNR": "llmnr", "HTTP": "http", "TLS": "tls", "QUIC": "quic",
             "SSH": "ssh"}
# nDPI names of the long-tail protocols (probes from the `probes` branch).
NDPI_PROBES = {"DHCP": "dhcp", "DHCPV6": "dhcpv6", "NTP": "ntp", "SMTP": "smtp", "IMAP": "imap", "POP3": "pop3",
               "FTP_CONTROL": "ftp", "SIP": "sip", "BitTorrent": "bittorrent", "WireGuard": "wireguard",
               "OpenVPN": "openvpn", "RDP": "rdp", "SMBv23": "smb2", "Kerberos": "kerberos", "LDAP": "ldap",
               "RTSP": "rtsp", "MQTT": "mqtt", "Redis": "redis", "PostgreSQL": "postgresql", "MySQL": "mysql",
               "STUN": "stun", "SSDP": "ssdp", "NetBIOS": "netbios", "SNMP": "snmp", "Syslog": "syslog",
               "RTP": "rtp", "Telnet": "telnet", "SOCKS": "socks", "Jabber": "xmpp", "IPSec": "ipsec"}
L4 = collections.defaultdict(lambda: -1, {"tcp": 6, "udp": 17, "TCP": 6, "UDP": 17, "icmp": 1, "ICMP": 1})


def key(proto, a, ap, b, bp):
    if ap is None or bp is None:
        ap, bp = 0, 0
    x, y = (a, int(ap)), (b, int(bp))
    return (proto,) + (x + y if x <= y else y + x)


def truth_values(t):
    """{kind: {flowkey: set(values)}} from tshark's per-message fields."""
    out = collections.defaultdict(lambda: collections.defaultdict(set))
    for d in t.get("dns") or []:
        tu = d["tuple"]
        if tu["l4"] not in ("tcp", "udp"):
            continue  # DNS quoted inside ICMP errors: not a DNS flow (excluded, see the docs)
        k = key(L4[tu["l4"]], tu["src"], tu.get("sport"), tu["dst"], tu.get("dport"))
        for q in d.get("queries") or []:
            # tshark writes the root name as "<Root>"; records write "." (RFC 1034 §3.1).
            if q == "<Unknown extended label>":
                continue  # tshark's placeholder for a label it cannot read (RFC 6891 §5), not a name
            out["dns.qname"][k].add("." if q == "<Root>" else q)
    for kind, src in (("tls", t.get("tls_client_hello") or []), ("quic", t.get("quic") or [])):
        for h in src:
            tu = h["tuple"]
            k = key(L4[tu["l4"]], tu["src"], tu.get("sport"), tu["dst"], tu.get("dport"))
            if h.get("sni"):
                out[kind + ".sni"][k].add(h["sni"])
            if h.get("alpn"):
                out[kind + ".alpn"][k].add(",".join(h["alpn"]))
    for r in t.get("http_requests") or []:
        tu = r["tuple"]
        k = key(L4[tu["l4"]], tu["src"], tu.get("sport"), tu["dst"], tu.get("dport"))
        for f, name in (("host", "http.host"), ("user_agent", "http.user_agent"), ("method", "http.method")):
            if r.get(f):
                out[name][k].add(r[f])
    for b in t.get("ssh_banners") or []:
        tu = b["tuple"]
        k = key(L4[tu["l4"]], tu["src"], tu.get("sport"), tu["dst"], tu.get("dport"))
        out["ssh.banner"][k].add(b["banner"])
    return out


def tshark_text(v):
    """Our text as tshark prints it: bytes outside printable ASCII as \\ooo octal escapes
    (invalid UTF-8 is already U+FFFD in both)."""
    out = []
    for ch in v:
        o = ord(ch)
        out.append(f"\\{o:03o}" if o < 0x20 or o == 0x7F else ch)
    return "".join(out)


def record_values(r):
    """(kind, value) pairs a record carries."""
    vals = []
    d, t, h, q, s = (r.get(x) or {} for x in ("dns", "tls", "http", "quic", "ssh"))
    if d.get("qname") is not None:
        vals.append(("dns.qname", d["qname"]))
    for obj, kind in ((t, "tls"), (q, "quic")):
        if obj.get("sni") is not None:
            vals.append((kind + ".sni", obj["sni"]))
        if obj.get("alpn") is not None:
            vals.append((kind + ".alpn", obj["alpn"]))
    for f, kind in (("host", "http.host"), ("user_agent", "http.user_agent"), ("method", "http.method")):
        if h.get(f) is not None:
            vals.append((kind, h[f]))
    for f in ("client", "server"):
        if s.get(f) is not None:
            vals.append(("ssh.banner", s[f]))
    return [(k, tshark_text(v)) for k, v in vals]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--tapline", default=os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "tapline"))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    tdir, pdir = os.path.join(args.corpus, "truth"), os.path.join(args.corpus, "pcap")
    stats = collections.defaultdict(collections.Counter)
    cls = collections.defaultdict(collections.Counter)
    disagreements = []
    ja4 = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(tdir)):
            if not name.endswith(".json"):
                continue
            t = json.load(open(os.path.join(tdir, name)))
            pcap = os.path.join(pdir, t.get("pcap", name[:-5]))
            if not os.path.exists(pcap):
                continue
            out = os.path.join(tmp, "o.ndjson")
            p = subprocess.run([args.tapline, "analyze", pcap, "-o", out, "--no-progress", "--quiet"],
                               capture_output=True, text=True)
            recs = []
            if os.path.exists(out):
                recs = [json.loads(l) for l in open(out) if l.strip()]
            if p.returncode != 0 and not recs:
                disagreements.append((name, "analyze failed", p.stderr.strip()[:200]))
                continue
            ours = collections.defaultdict(lambda: collections.defaultdict(set))
            apps = collections.defaultdict(set)
            for r in recs:
                k = key(r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
                apps[k].add(r.get("app"))
                for kind, v in record_values(r):
                    ours[kind][k].add(v)
            truth = truth_values(t)
            for kind in sorted(set(truth) | set(ours)):
                tk, ok = truth.get(kind, {}), ours.get(kind, {})
                for k, vals in tk.items():
                    st = stats[kind]
                    st["flows"] += 1
                    st["values"] += len(vals)
                    got = ok.get(k, set())
                    st["values_found"] += len(vals & got)
                    if vals & got:
                        st["found"] += 1
                    else:
                        disagreements.append((name, kind + " missed", str(k), sorted(vals)[:3], sorted(got)[:3]))
                for k, vals in ok.items():
                    extra = vals - tk.get(k, set())
                    stats[kind]["reported"] += len(vals)
                    if extra:
                        stats[kind]["extra"] += len(extra)
                        disagreements.append((name, kind + " extra", str(k), sorted(extra)[:3], sorted(tk.get(k, set()))[:3]))
            ja4s = {}
            for r in recs:
                j = (r.get("tls") or r.get("quic") or {}).get("ja4")
                if j:
                    ja4s[key(r["proto"], r["src"], r["sport"], r["dst"], r["dport"])] = j
            for f in (t.get("ndpi_expected") or {}).get("flows") or []:
                if f.get("ja4"):
                    k = key(L4[f["l4"]], f["src"], f["sport"], f["dst"], f["dport"])
                    j = ja4s.get(k)
                    ja4["flows"] += 1
                    if j == f["ja4"]:
                        ja4["same"] += 1
                    if j and j.split("_")[1:] == f["ja4"].split("_")[1:]:
                        ja4["same_hashes"] += 1
                    elif j is None:
                        ja4["none"] += 1
            for f in (t.get("ndpi_expected") or {}).get("flows") or []:
                master = f["app_protocol"].split(".")[0]
                proto = L4[f["l4"]]
                k = key(proto, f["src"], f["sport"], f["dst"], f["dport"])
                want = NDPI_OURS.get(master) or NDPI_PROBES.get(master)
                if want is None:
                    continue
                group = "ours" if master in NDPI_OURS else "probes"
                got = apps.get(k, set())
                c = cls[(group, want)]
                c["flows"] += 1
                # nDPI's QUIC label covers Google QUIC (Q0xx), which records call `gquic`.
                if want in got or (want == "quic" and "gquic" in got):
                    c["agree"] += 1
                else:
                    disagreements.append((name, "class " + want, str(k), f["app_protocol"], sorted(map(str, got))))

    print(f"{'value':<18}{'flows':>7}{'found':>7}{'recall':>9}{'values':>8}{'v.found':>8}{'reported':>9}{'extra':>6}")
    tf = tfound = 0
    for kind in sorted(stats):
        s = stats[kind]
        tf += s["flows"]; tfound += s["found"]
        rec = 100.0 * s["found"] / s["flows"] if s["flows"] else 100.0
        print(f"{kind:<18}{s['flows']:>7}{s['found']:>7}{rec:>8.1f}%{s['values']:>8}{s['values_found']:>8}{s['reported']:>9}{s['extra']:>6}")
    print(f"{'total':<18}{tf:>7}{tfound:>7}{(100.0 * tfound / tf if tf else 100):>8.1f}%"
          f"{sum(s['values'] for s in stats.values()):>8}{sum(s['values_found'] for s in stats.values()):>8}"
          f"{sum(s['reported'] for s in stats.values()):>9}{sum(s['extra'] for s in stats.values()):>6}")
    print()
    print(f"{'nDPI class':<18}{'flows':>7}{'agree':>7}{'share':>9}")
    for group in ("ours", "probes"):
        fl = ag = 0
        for (g, app), c in sorted(cls.items()):
            if g != group:
                continue
            fl += c["flows"]; ag += c["agree"]
            print(f"{app:<18}{c['flows']:>7}{c['agree']:>7}{100.0 * c['agree'] / c['flows']:>8.1f}%")
        if fl:
            print(f"{'total ' + group:<18}{fl:>7}{ag:>7}{100.0 * ag / fl:>8.1f}%")
    print()
    print(f"JA4 against nDPI: {ja4['flows']} flows with nDPI's JA4, {ja4['same']} identical, "
          f"{ja4['same_hashes']} with both hashes equal, {ja4['none']} without ours")
    if args.verbose:
        print()
        for d in disagreements:
            print("  ", *d)
    if args.json:
        json.dump({"values": stats, "classes": {f"{g}/{a}": c for (g, a), c in cls.items()},
                   "disagreements": disagreements}, open(args.json, "w"), indent=1, default=str)


if __name__ == "__main__":
    main()
