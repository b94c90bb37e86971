#!/bin/sh
# Re-derives the expectations of a recorded KVM case file with the KVM oracle and compares them with
# the recorded ones: status, fault, registers under flagsMask, memory and device accesses.
# usage: check-samples.sh [CASES.jsonl]   (default: examples/kvm-exits.jsonl, the project's copy of the
# KVM-produced sample)
# Set KEEP=DIR to keep the stripped input, the oracle output and its stderr in DIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ref=${1:-$here/../../../examples/kvm-exits.jsonl}
[ -x "$here/build/hvex-kvm-oracle" ] || "$here/build.sh"
if [ -n "${KEEP:-}" ]; then tmp=$KEEP; mkdir -p "$tmp"; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        d = json.loads(line); d.pop("expect", None); d.pop("source", None); print(json.dumps(d))
' "$ref" > "$tmp/in.jsonl"
"$here/build/hvex-kvm-oracle" "$tmp/in.jsonl" > "$tmp/out.jsonl" 2> "$tmp/err.txt" || true
grep -v '^info' "$tmp/err.txt" >&2 || true
python3 "$here/compare.py" "$ref" "$tmp/out.jsonl"
