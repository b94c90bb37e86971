#!/bin/sh
# Regenerates the committed exit cases in conformance/cases/ from the opcode spec (fixed seed: the same spec,
# processor and KVM give the same files):
#   hw-<mode>.jsonl.gz   long64, compat32, compat16: run by the processor oracle (registers, memory, faults);
#                        where KVM's emulator agrees on all of them, with KVM's device accesses (source hw+kvm),
#                        else the processor's answer alone (source hw)
#   kvm-<mode>.jsonl.gz  real16, prot16, prot32 (paging off, CPL 0 and 3, non-flat segments), and port I/O in
#                        all six modes: run by KVM's instruction emulator (source kvm)
#   conformance/kvm-disagreements.md   where KVM and the processor disagree, and KVM answers excluded as KVM bugs
# Then replays everything through the emulator.
#
#   conformance/regenerate.sh            # from the repository root or anywhere
#
# Needs x86-64 Linux, gcc, a JDK and Maven (offline is fine once the dependencies are in ~/.m2), and for the
# KVM part a readable and writable /dev/kvm: without it the KVM part is skipped (one line says so), the hw
# files get source hw only, and the kvm files are left as they are. Extra arguments go to the generator
# (e.g. --per-form 4 --kvm-per-form 2 --io-per-form 4 --out /tmp/cases for a quick run elsewhere).
# The report (generator summary, oracle checks, emulator replay) is in conformance/target/hw-work/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=conformance/target/hw-work
mkdir -p "$work"

conformance/oracle/build.sh
kvm_oracle=conformance/oracle/kvm/build/hvex-kvm-oracle
if [ -e /dev/kvm ]; then
    conformance/oracle/kvm/build.sh
fi
mvn -q -o -DskipTests install -pl conformance -am
mvn -q -o dependency:build-classpath -pl conformance -Dmdep.outputFile="$root/$work/classpath.txt" >/dev/null
cp="conformance/target/classes:$(cat "$work/classpath.txt")"

java -cp "$cp" dev.hvex.conformance.generate.CaseGenerator \
    --spec opcode-spec/spec \
    --oracle conformance/oracle/build/hvex-oracle \
    --kvm-oracle "$kvm_oracle" \
    --out conformance/cases \
    --work "$work" \
    --seed 20251126 \
    --per-form 32 \
    --kvm-per-form 14 \
    --io-per-form 24 \
    "$@" | tee "$work/generate.txt" | grep -v '^not generated' | grep -v '^  ' || true

# Replay through the emulator (the oracles are right where they differ; see CommittedCasesTest).
java -cp "$cp" dev.hvex.conformance.generate.CaseReplay --ids conformance/cases > "$work/replay.txt" || true
grep '^total' "$work/replay.txt" || true
echo "report: $work/generate.txt (generation, oracle checks), $work/replay.txt (emulator replay)"
