#!/bin/sh
# Re-derives the expectations of a recorded case file on this processor and compares them with the
# recorded ones (status, fault, registers under flagsMask, memory; device accesses are not compared).
# usage: check-samples.sh [CASES.jsonl]   (default: examples/hw-exits.jsonl, the project's copy of the
# processor-produced sample)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ref=${1:-$here/../../examples/hw-exits.jsonl}
[ -x "$here/build/hvex-oracle" ] || "$here/build.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        d = json.loads(line); d.pop("expect", None); d.pop("source", None); print(json.dumps(d))
' "$ref" > "$tmp/in.jsonl"
"$here/build/hvex-oracle" "$tmp/in.jsonl" > "$tmp/out.jsonl" 2> "$tmp/err.txt" || true
grep -v '^info' "$tmp/err.txt" >&2 || true
python3 "$here/compare.py" "$ref" "$tmp/out.jsonl"
