#!/usr/bin/env python3
"""Turns JMH JSON result files (java -jar benchmarks.jar ... -prof gc -rf json -rff FILE) into the
Markdown table of BENCHMARKS.md: mean score ± error, the median and the minimum of the measurement
iterations (on a shared machine, interference only ever adds time, so the minimum is the least
disturbed figure), the unit, and gc.alloc.rate.norm (B/op) when present."""
import json
import statistics
import sys

print("| Benchmark | Mean | ± error (99.9%) | Median iter. | Min iter. | Unit | B/op |")
print("|---|---:|---:|---:|---:|---|---:|")
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        name = r["benchmark"].replace("dev.hvex.bench.", "")
        p = r["primaryMetric"]
        iters = [x for fork in p["rawData"] for x in fork]
        gc = (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
        bop = "" if gc is None else f"{gc['score']:.3f}"
        print(f"| {name} | {p['score']:.1f} | {p['scoreError']:.1f} | {statistics.median(iters):.1f} "
              f"| {min(iters):.1f} | {p['scoreUnit']} | {bop} |")
