#!/bin/sh
# Regenerates the committed processor-checked exit cases, conformance/cases/hw-<mode>.jsonl.gz, from the
# opcode spec: builds the processor oracle and the generator, generates cases for every spec entry with a
# family in long64, compat32 and compat16 (fixed seed: the same spec and processor give the same files),
# runs them natively through the oracle, keeps the completed ones, and replays them through the emulator.
#
#   conformance/regenerate.sh            # from the repository root or anywhere
#
# Needs x86-64 Linux, gcc, a JDK and Maven (offline is fine once the dependencies are in ~/.m2); no
# /dev/kvm. Extra arguments go to the generator (e.g. --per-form 10 for a quick run into another --out).
# The report (generator summary, oracle checks, emulator replay) is in conformance/target/hw-work/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=conformance/target/hw-work
mkdir -p "$work"

conformance/oracle/build.sh
mvn -q -o -DskipTests install -pl conformance -am
mvn -q -o dependency:build-classpath -pl conformance -Dmdep.outputFile="$root/$work/classpath.txt" >/dev/null
cp="conformance/target/classes:$(cat "$work/classpath.txt")"

java -cp "$cp" dev.hvex.conformance.generate.CaseGenerator \
    --spec opcode-spec/spec \
    --oracle conformance/oracle/build/hvex-oracle \
    --out conformance/cases \
    --work "$work" \
    --seed 20251126 \
    --per-form 40 \
    "$@" | tee "$work/generate.txt"

# Replay through the emulator (the processor is right where they differ; see CommittedCasesTest).
java -cp "$cp" dev.hvex.conformance.generate.CaseReplay --ids conformance/cases > "$work/replay.txt" || true
grep '^total' "$work/replay.txt" || true
echo "report: $work/generate.txt (generation, oracle checks), $work/replay.txt (emulator replay)"
