package dev.hvex.conformance.generate;

import dev.hvex.CpuMode;
import dev.hvex.Register;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.MemBytes;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.RegValue;
import dev.hvex.conformance.generate.FormGenerator.Meta;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that the processor oracle's answer to a generated case is physically sane before the case is
 * kept: the instruction did not write its own code, a completed instruction moved RIP by exactly its
 * length, a fault left RIP alone, and memory changed only in the case's operand regions. Also tallies
 * what the processor did in each variant that was meant to fault, for the report.
 */
final class OracleChecks {
    private final Map<String, Meta> metas;
    private final Map<String, Integer> rejected = new TreeMap<>();
    private final List<String> rejectedExamples = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();

    OracleChecks(Map<String, Meta> metas) {
        this.metas = metas;
    }

    /** Why the case must not be kept, or null. Also records its outcome for the report. */
    String problem(ExitCase c, Meta meta) {
        if (meta == null) {
            return "not a generated case";
        }
        ExitCase.Expectation e = c.expect();
        if (e == null) {
            return "no expectation";
        }
        for (MemBytes mb : e.mem()) {
            MemRegion r = regionAt(c, mb.gpa());
            if (r == null) {
                return "expect.mem outside the case's regions";
            }
            for (long code : meta.codeGpas()) {
                if (code >= r.gpa() && code < r.end()) {
                    return "the instruction wrote its own code";
                }
            }
        }
        RegValue rip = e.regs().get(Register.RIP);
        long mask = c.mode() == CpuMode.LONG64 ? -1L : c.mode().defaultSize() == 2 ? 0xffffL : 0xffffffffL;
        if (e.status() == ExitCase.Status.OK) {
            if (rip == null) {
                return "completed without a RIP";
            }
            if (rip.low() != ((meta.rip() + meta.length()) & mask)) {
                return "completed with RIP " + Long.toHexString(rip.low()) + ", not after the instruction";
            }
        } else if (e.status() == ExitCase.Status.FAULT) {
            if (rip != null && rip.low() != meta.rip()) {
                return "faulted with RIP moved";
            }
            if (!meta.rep() && !e.mem().isEmpty()) {
                return "faulted and changed memory";
            }
        }
        String outcome = e.status() == ExitCase.Status.OK ? "ok"
                : vectorName(e.fault().vector()) + (e.fault().error() != null ? " err " + Long.toHexString(e.fault().error()) : "");
        String planned = meta.expectedFault() == null ? "-" : meta.expectedFault();
        String kind = variantKind(meta.variant());
        outcomes.merge(String.format("%-9s %-8s %-6s -> %s", c.family(), kind, planned, outcome), 1, Integer::sum);
        return null;
    }

    static String variantKind(String variant) {
        for (String k : new String[] {"split_np", "split", "ro", "misalign", "ac", "lock", "fetch"}) {
            for (String t : variant.split(",")) {
                if (t.equals(k)) {
                    return k;
                }
            }
        }
        return "plain";
    }

    static String vectorName(int v) {
        String[] names = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9", "#TS", "#NP", "#SS", "#GP",
            "#PF", "?15", "#MF", "#AC", "#MC", "#XM"};
        return v >= 0 && v < names.length ? names[v] : "#" + v;
    }

    private static MemRegion regionAt(ExitCase c, long gpa) {
        for (MemRegion r : c.mem()) {
            if (gpa >= r.gpa() && gpa < r.end()) {
                return r;
            }
        }
        return null;
    }

    void reject(ExitCase c, String why) {
        rejected.merge(why, 1, Integer::sum);
        if (rejectedExamples.size() < 20) {
            rejectedExamples.add(c.id() + " [" + c.variant() + "] " + c.insn().hex() + ": " + why);
        }
    }

    void report(PrintStream out) {
        out.println("rejected after the oracle (not written):");
        rejected.forEach((why, n) -> out.println("  " + n + " " + why));
        rejectedExamples.forEach(s -> out.println("    e.g. " + s));
        out.println("processor outcomes by family, variant and planned fault:");
        outcomes.forEach((k, n) -> out.printf("  %6d %s%n", n, k));
    }
}
