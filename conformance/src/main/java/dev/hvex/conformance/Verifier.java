package dev.hvex.conformance;

import dev.hvex.EmulatorStatus;
import dev.hvex.Register;
import dev.hvex.conformance.ExitCase.Expectation;
import dev.hvex.conformance.ExitCase.Fault;
import dev.hvex.conformance.ExitCase.MemBytes;
import dev.hvex.conformance.ReplayResult.MemoryChange;
import dev.hvex.conformance.ReplayResult.RegisterChange;
import java.util.ArrayList;
import java.util.List;

/** Compares a machine after a run with its case's expectation (FORMAT.md "Expectations"). */
public final class Verifier {
    /** At most this many differing byte runs per region, and differing accesses, are listed. */
    static final int LIST_LIMIT = 12;

    private Verifier() {
    }

    /** The differences between the run and {@code c.expect()}; empty when they agree or there is no expectation. */
    public static List<Difference> compare(CaseMachine m, Outcome o) {
        List<Difference> out = new ArrayList<>();
        Expectation e = m.exitCase().expect();
        if (e == null) {
            return out;
        }
        status(e, o, out);
        registers(m, e, out);
        memory(m, e, out);
        if (e.accesses() != null) {
            accesses(e.accesses(), m.accesses(), out);
        }
        return out;
    }

    private static void status(Expectation e, Outcome o, List<Difference> out) {
        switch (e.status()) {
            case OK:
                if (!o.successful()) {
                    out.add(new Difference("status", "ok", o.description()));
                }
                break;
            case UNSUPPORTED:
                if (!o.unsupported()) {
                    out.add(new Difference("status", "unsupported (internal failure, unsupported instruction)",
                            o.description()));
                }
                break;
            default: {
                Fault f = e.fault();
                if (!o.exceptionPending()) {
                    out.add(new Difference("status", "fault " + faultText(f), o.description()));
                    break;
                }
                if (o.vector() != f.vector()) {
                    out.add(new Difference("fault.vector", EmulatorStatus.vectorName(f.vector()),
                            EmulatorStatus.vectorName(o.vector())));
                }
                String gotError = o.hasErrorCode() ? Hex.u64(o.errorCode() & 0xffffffffL) : "no error code";
                if (f.error() != null) {
                    if (!o.hasErrorCode() || (o.errorCode() & 0xffffffffL) != f.error()) {
                        out.add(new Difference("fault.error", Hex.u64(f.error()), gotError));
                    }
                } else if (o.hasErrorCode()) {
                    out.add(new Difference("fault.error", "no error code", gotError));
                }
                if (f.cr2() != null && o.cr2() != f.cr2()) {
                    out.add(new Difference("fault.cr2", Hex.u64(f.cr2()), Hex.u64(o.cr2())));
                }
            }
        }
    }

    static String faultText(Fault f) {
        StringBuilder sb = new StringBuilder(EmulatorStatus.vectorName(f.vector()));
        if (f.error() != null) {
            sb.append(" error ").append(Hex.u64(f.error()));
        }
        if (f.cr2() != null) {
            sb.append(" cr2 ").append(Hex.u64(f.cr2()));
        }
        return sb.toString();
    }

    private static void registers(CaseMachine m, Expectation e, List<Difference> out) {
        long mask = e.flagsMask() == null ? -1L : e.flagsMask();
        for (Register r : Register.values()) {
            RegValue before = m.initialRegister(r);
            RegValue want = e.regs().getOrDefault(r, before);
            RegValue got = m.register(r);
            boolean same;
            if (r == Register.RFLAGS) {
                same = ((want.low() ^ got.low()) & mask) == 0;
            } else {
                same = RegValue.same(r.kind(), want.low(), want.high(), got.low(), got.high());
            }
            if (!same) {
                String expected = want.format(r);
                String actual = got.format(r);
                if (r == Register.RFLAGS && mask != -1L) {
                    expected += " (under mask " + Hex.u64(mask) + ")";
                }
                if (RegValue.same(r.kind(), before.low(), before.high(), got.low(), got.high())) {
                    actual += " (unchanged)";
                } else if (!e.regs().containsKey(r)) {
                    expected += " (unchanged)";
                }
                out.add(new Difference(RegisterNames.nameOf(r), expected, actual));
            }
        }
    }

    private static void memory(CaseMachine m, Expectation e, List<Difference> out) {
        int n = m.regionCount();
        byte[][] want = new byte[n][];
        for (int i = 0; i < n; i++) {
            want[i] = m.regionInitialBytes(i);
        }
        for (MemBytes mb : e.mem()) {
            for (int k = 0; k < mb.bytes().length(); k++) {
                long addr = mb.gpa() + k;
                boolean placed = false;
                for (int i = 0; i < n && !placed; i++) {
                    long off = addr - m.regionGpa(i);
                    if (Long.compareUnsigned(off, want[i].length) < 0) {
                        want[i][(int) off] = (byte) mb.bytes().get(k);
                        placed = true;
                    }
                }
                if (!placed) {
                    out.add(new Difference("expect.mem[" + Hex.u64(mb.gpa()) + "]", "bytes at " + Hex.u64(addr),
                            "no memory region holds that address (case error)"));
                    break;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            byte[] got = m.regionBytes(i);
            byte[] before = m.regionInitialBytes(i);
            int listed = 0;
            for (int[] run : runs(want[i], got)) {
                if (listed++ == LIST_LIMIT) {
                    out.add(new Difference("mem", "(more)", "further differing bytes not listed"));
                    break;
                }
                int from = run[0];
                int len = run[1];
                String field = "mem[" + Hex.u64(m.regionGpa(i) + from) + (len > 1 ? ".." + Hex.u64(m.regionGpa(i) + from + len - 1) : "") + "]";
                String gotHex = Bytes.toHex(got, from, len);
                if (java.util.Arrays.equals(got, from, from + len, before, from, from + len)) {
                    gotHex += " (unchanged)";
                }
                out.add(new Difference(field, Bytes.toHex(want[i], from, len), gotHex));
            }
        }
    }

    /** Runs {offset, length} where a and b differ; gaps of fewer than 4 equal bytes are merged. */
    static List<int[]> runs(byte[] a, byte[] b) {
        List<int[]> runs = new ArrayList<>();
        int i = 0;
        while (i < a.length) {
            if (a[i] == b[i]) {
                i++;
                continue;
            }
            int start = i;
            int end = i + 1;
            int j = end;
            while (j < a.length && j - end < 4) {
                if (a[j] != b[j]) {
                    end = j + 1;
                }
                j++;
            }
            runs.add(new int[] {start, end - start});
            i = end;
        }
        return runs;
    }

    private static void accesses(List<DeviceAccess> want, List<DeviceAccess> got, List<Difference> out) {
        int n = Math.max(want.size(), got.size());
        int listed = 0;
        for (int i = 0; i < n; i++) {
            DeviceAccess w = i < want.size() ? want.get(i) : null;
            DeviceAccess g = i < got.size() ? got.get(i) : null;
            if (w != null && w.equals(g)) {
                continue;
            }
            if (listed++ == LIST_LIMIT) {
                out.add(new Difference("accesses", want.size() + " accesses", got.size() + " accesses (further differences not listed)"));
                return;
            }
            out.add(new Difference("accesses[" + i + "]", w == null ? "(none)" : w.toString(), g == null ? "(none)" : g.toString()));
        }
    }

    /** The registers whose value differs after the run. */
    public static List<RegisterChange> registerChanges(CaseMachine m) {
        List<RegisterChange> list = new ArrayList<>();
        for (Register r : Register.values()) {
            RegValue before = m.initialRegister(r);
            RegValue after = m.register(r);
            if (!RegValue.same(r.kind(), before.low(), before.high(), after.low(), after.high())) {
                list.add(new RegisterChange(r, before, after));
            }
        }
        return list;
    }

    /** The runs of memory bytes that differ after the run. */
    public static List<MemoryChange> memoryChanges(CaseMachine m) {
        List<MemoryChange> list = new ArrayList<>();
        for (int i = 0; i < m.regionCount(); i++) {
            byte[] before = m.regionInitialBytes(i);
            byte[] after = m.regionBytes(i);
            for (int[] run : runs(before, after)) {
                list.add(new MemoryChange(m.regionGpa(i) + run[0], Bytes.of(before, run[0], run[1]), Bytes.of(after, run[0], run[1])));
            }
        }
        return list;
    }
}
