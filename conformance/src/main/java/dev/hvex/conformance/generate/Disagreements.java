package dev.hvex.conformance.generate;

import dev.hvex.Register;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.Expectation;
import dev.hvex.conformance.ExitCase.MemBytes;
import dev.hvex.conformance.MachineDefaults;
import dev.hvex.conformance.RegValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where KVM's instruction emulator and the processor disagree on a case both completed (status, fault,
 * registers under the case's flagsMask, memory), and KVM answers the generator excludes as KVM bugs. The
 * processor wins: such a case keeps the processor's answer without device accesses. Written as
 * {@code conformance/kvm-disagreements.md}.
 */
final class Disagreements {
    private record Item(String id, String insn, String variant, List<String> diffs) {
    }

    private final Map<String, List<Item>> byPattern = new TreeMap<>();
    private final List<Item> kvmOnly = new ArrayList<>();
    private int count;

    /** What differs between the processor's expectation ({@code hw}) and KVM's ({@code kvm}); empty when they agree. */
    static List<String> differences(ExitCase hw, ExitCase kvm) {
        Expectation a = hw.expect();
        Expectation b = kvm.expect();
        List<String> d = new ArrayList<>();
        if (a.status() != b.status()) {
            d.add("status " + a.status().label() + describeFault(a) + " (processor) vs " + b.status().label() + describeFault(b)
                    + " (KVM)");
            return d;
        }
        if (a.fault() != null || b.fault() != null) {
            if (a.fault() == null || b.fault() == null || !a.fault().equals(b.fault())) {
                d.add("fault" + describeFault(a) + " (processor) vs" + describeFault(b) + " (KVM)");
            }
        }
        long mask = a.flagsMask() == null ? -1L : a.flagsMask();
        TreeSet<Register> regs = new TreeSet<>(a.regs().keySet());
        regs.addAll(b.regs().keySet());
        for (Register r : regs) {
            RegValue x = finalValue(hw, a, r);
            RegValue y = finalValue(hw, b, r);
            if (r == Register.RFLAGS) {
                if (((x.low() ^ y.low()) & mask) != 0) {
                    d.add(String.format("rflags 0x%x (processor) vs 0x%x (KVM) under mask 0x%x", x.low(), y.low(), mask));
                }
            } else if (!x.equals(y)) {
                d.add(r.name().toLowerCase() + " " + x.format(r) + " (processor) vs " + y.format(r) + " (KVM)");
            }
        }
        Map<Long, String> ma = new TreeMap<>();
        Map<Long, String> mb = new TreeMap<>();
        for (MemBytes m : a.mem()) {
            ma.put(m.gpa(), m.bytes().hex());
        }
        for (MemBytes m : b.mem()) {
            mb.put(m.gpa(), m.bytes().hex());
        }
        TreeSet<Long> gpas = new TreeSet<>(ma.keySet());
        gpas.addAll(mb.keySet());
        for (long g : gpas) {
            String x = ma.get(g);
            String y = mb.get(g);
            if (x == null || !x.equals(y)) {
                d.add(String.format("mem 0x%x %s (processor) vs %s (KVM)", g, x == null ? "unchanged" : x, y == null ? "unchanged" : y));
            }
        }
        return d;
    }

    private static String describeFault(Expectation e) {
        if (e.fault() == null) {
            return "";
        }
        return " " + OracleChecks.vectorName(e.fault().vector()) + (e.fault().error() != null ? "(" + Long.toHexString(e.fault().error()) + ")" : "")
                + (e.fault().cr2() != null ? " cr2 " + Long.toHexString(e.fault().cr2()) : "");
    }

    private static RegValue finalValue(ExitCase c, Expectation e, Register r) {
        RegValue v = e.regs().get(r);
        if (v != null) {
            return v;
        }
        v = c.regs().get(r);
        return v != null ? v : MachineDefaults.value(r, c.mode());
    }

    /**
     * Why a KVM-only answer must not become an expectation because KVM is wrong there (with the SDM
     * reference), or null. Filled from the disagreements found; see the report.
     */
    static String kvmOracleProblem(ExitCase c, boolean rep) {
        Expectation e = c.expect();
        if (e == null) {
            return null;
        }
        boolean anyAccess = e.accesses() != null && !e.accesses().isEmpty();
        if ("clflush".equals(c.family()) && anyAccess) {
            return "KVM bug: KVM's emulator reads CLFLUSH's operand (a device read); CLFLUSH loads no data"
                    + " (SDM Vol. 2A CLFLUSH: it invalidates the cache line, and it is ordered as a store, not a load)";
        }
        RegValue before = c.regs().get(Register.RFLAGS);
        RegValue after = e.regs().get(Register.RFLAGS);
        if (before != null && after != null && ((before.low() ^ after.low()) & 0x3000) != 0) {
            return "host limitation: this host's KVM does not keep the guest's IOPL (RFLAGS 0x"
                    + Long.toHexString(before.low()) + " became 0x" + Long.toHexString(after.low()) + "); no instruction here changes IOPL";
        }
        if (e.status() == ExitCase.Status.FAULT && c.io() != null && c.io().string() && !c.io().write() && anyAccess) {
            return "KVM bug: KVM's emulator reads ahead from the port for INS (several elements at once) and loses the"
                    + " values when the memory write then faults; the processor reads one element per iteration and"
                    + " takes the fault of an iteration before its port read is lost (SDM Vol. 2A INS/INSB/INSW/INSD,"
                    + " Vol. 2B REP: iteration by iteration)";
        }
        if (e.status() == ExitCase.Status.FAULT && !rep && anyAccess) {
            return "KVM bug: KVM's emulator performs device accesses before the fault of a non-REP instruction (a"
                    + " read-modify-write operand read before the write's #GP/#SS on a read-only or code segment, or"
                    + " before the write's #PF on a read-only page; part of a split operand); the processor checks the"
                    + " segment (SDM Vol. 3A 5.3, 5.4) and the page (Vol. 3A 4.7: a read-modify-write faults with W/R=1)"
                    + " for the whole access before it accesses memory, and a faulting instruction is restartable"
                    + " (Vol. 3A 6.5), so it leaves no device access behind";
        }
        return null;
    }

    void add(ExitCase c, List<String> diffs) {
        String pattern = c.family() + ": " + diffs.get(0).replaceAll("0x[0-9a-f]+", "N").replaceAll("\\b[0-9a-f]{6,}\\b", "H");
        byPattern.computeIfAbsent(pattern, k -> new ArrayList<>()).add(new Item(c.id(), c.insn().hex(), c.variant(), diffs));
        count++;
    }

    void addKvmOnly(ExitCase c, String why) {
        kvmOnly.add(new Item(c.id(), c.insn().hex(), c.variant(), List.of(why)));
        count++;
    }

    int count() {
        return count;
    }

    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# KVM vs processor: disagreements\n\n");
        sb.append("Written by `conformance/regenerate.sh` (CaseGenerator). Every case of `hw-<mode>.jsonl.gz` is run by the\n"
                + "processor oracle and then by the KVM oracle. Where both complete and KVM agrees on status, fault, registers\n"
                + "(RFLAGS under the case's flagsMask) and memory, the case takes KVM's device accesses (`source: \"hw+kvm\"`).\n"
                + "Where they disagree (listed here) the processor wins: the case keeps the processor's answer without\n"
                + "accesses (`source: \"hw\"`). KVM-only answers excluded as KVM bugs are listed at the end.\n\n");
        sb.append("Total: ").append(count).append(" cases.\n\n");
        for (Map.Entry<String, List<Item>> en : byPattern.entrySet()) {
            sb.append("## ").append(en.getValue().size()).append(" x ").append(en.getKey()).append("\n\n");
            sb.append("| case | bytes | variant | what differs |\n| --- | --- | --- | --- |\n");
            for (Item it : en.getValue()) {
                sb.append("| `").append(it.id()).append("` | `").append(it.insn()).append("` | ").append(it.variant()).append(" | ")
                        .append(String.join("; ", it.diffs()).replace("|", "\\|")).append(" |\n");
            }
            sb.append('\n');
        }
        if (!kvmOnly.isEmpty()) {
            sb.append("## KVM-only answers excluded as KVM bugs\n\n| case | bytes | variant | why |\n| --- | --- | --- | --- |\n");
            for (Item it : kvmOnly) {
                sb.append("| `").append(it.id()).append("` | `").append(it.insn()).append("` | ").append(it.variant()).append(" | ")
                        .append(it.diffs().get(0)).append(" |\n");
            }
        }
        Files.writeString(file, sb.toString());
    }
}
