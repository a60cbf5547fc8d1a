#!/usr/bin/env bash
# The main job on an embedded default: synthesize a mixed capture, dissect it with two workers,
# and show the summary and a few flow records. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/setup.sh >/dev/null
echo "== building tapline (release)"
swift build -c release --product tapline 2>&1 | tail -1
bin=.build/release/tapline

work=$(mktemp -d "${TMPDIR:-/tmp}/tapline-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "== tapline synth --profile mix --flows 2000 --packets 60000"
"$bin" synth --profile mix --flows 2000 --packets 60000 --seed 7 -o "$work/mix.pcapng" --manifest "$work/mix.json"

echo "== tapline analyze --workers 2"
"$bin" analyze --workers 2 "$work/mix.pcapng" -o "$work/flows.ndjson"

echo "== a few flow records"
if command -v jq >/dev/null 2>&1; then
  grep -m 8 -E '"dport":(53|443|80|22)[,}]' "$work/flows.ndjson" | jq -c '{src,sport,dst,dport,proto,a_pkts,b_pkts,end_reason,tunnel,app,name:(.tls.sni // .quic.sni // .dns.qname // .http.host // .ssh.client)}'
else
  grep -m 8 -E '"dport":(53|443|80|22)[,}]' "$work/flows.ndjson"
fi
echo "== $(wc -l < "$work/flows.ndjson") flow records in all"
