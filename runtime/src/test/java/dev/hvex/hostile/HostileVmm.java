package dev.hvex.hostile;

import dev.hvex.CpuMode;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic, adversarial VMM for one {@link Scenario}: registers, segments, memory contents and
 * translations are functions of the scenario's bytes; it fails the callback the scenario names, and it
 * checks the callback-level rules of the API while the emulator runs (access sizes, page crossing, no
 * call after a failed one). Every call goes into {@link #events}, so two runs can be compared exactly.
 */
final class HostileVmm implements EmulatorCallbacks {
    static final int GET = 1;
    static final int SET = 2;
    static final int MEMORY = 3;
    static final int TRANSLATE = 4;
    static final int PORT = 5;
    static final int ANY = 6;

    static final long[][] SEGMENTS = {
        // base, limit, selector, attributes
        {0, 0xffffffffL, 0x10, 0xc093},        // flat read/write data
        {0x10000, 0xffff, 0x1000, 0x93},       // 16-bit data, base 64 KiB
        {0, 0xffffffffL, 0x18, 0xc091},        // read-only
        {0, 0x0fff, 0x20, 0xc097},             // expand-down, 32-bit
        {0, 0, 0, 0},                          // null / unusable
        {0, 0xffffffffL, 0x28, 0xc09b},        // readable code
        {0, 0xffffffffL, 0x30, 0xc099},        // execute-only code
        {0xfffff000L, 0xffffffffL, 0x38, 0xc093}, // wraps at 4 GiB
    };

    final Scenario s;
    final List<String> events = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final long[] lo = new long[Register.count()];
    final long[] hi = new long[Register.count()];
    final Map<Long, Byte> written = new HashMap<>();
    final Map<Long, Byte> code = new HashMap<>();
    int calls;
    int getCalls;
    int setCalls;
    int memoryCalls;
    int translateCalls;
    int portCalls;
    int memoryWrites;
    int portAccesses;
    /** The kind of the callback that failed (returned false or threw), or 0. */
    int failedKind;
    final List<List<Register>> setBatches = new ArrayList<>();
    private final Map<Long, Integer> translationsOfPage = new HashMap<>();

    HostileVmm(Scenario s) {
        this.s = s;
        for (int i = 0; i < 16; i++) {
            lo[Register.gpr(i).ordinal()] = s.gpr[i];
        }
        lo[Register.RIP.ordinal()] = s.rip;
        lo[Register.RFLAGS.ordinal()] = s.rflags;
        for (int seg = 0; seg < 6; seg++) {
            Register r = Register.segment(seg);
            if (seg == 1) {
                lo[r.ordinal()] = s.csBase();
                hi[r.ordinal()] = RegisterValues.packSegment(s.csLimit(), 8, s.csAttributes());
                continue;
            }
            long[] p = SEGMENTS[s.segPalette[seg]];
            long base = p[0];
            if (s.mode.is64() && seg >= 4 && s.segPalette[seg] == 7) {
                base = 0xffffffff00000000L; // a 64-bit FS/GS base near the top of the canonical range
            }
            lo[r.ordinal()] = base;
            hi[r.ordinal()] = RegisterValues.packSegment((int) p[1], (int) p[2], (int) p[3]);
        }
        lo[Register.CR0.ordinal()] = (s.mode == CpuMode.REAL16 ? 0 : 1) | (s.cr0Am ? 1L << 18 : 0)
            | (s.cr0Pg ? 0x80000000L : 0) | 0x10;
        lo[Register.EFER.ordinal()] = s.mode.is64() || s.mode == CpuMode.COMPAT16 || s.mode == CpuMode.COMPAT32
            ? 0x500 : 0;
        for (int x = 0; x < 16; x++) {
            lo[Register.xmm(x).ordinal()] = Scenario.mix(s.seed + 2 * x);
            hi[Register.xmm(x).ordinal()] = Scenario.mix(s.seed + 2 * x + 1);
            lo[Register.ymmHigh(x).ordinal()] = Scenario.mix(s.seed + 64 + 2 * x);
            hi[Register.ymmHigh(x).ordinal()] = Scenario.mix(s.seed + 65 + 2 * x);
        }
        // The instruction's 16 bytes at CS:RIP, at the GPAs the code pages translate to. Fetching does not
        // wrap at 64 KiB in 16-bit code (a limit above 0xffff lets an instruction straddle it; with the
        // real-mode limit it is #GP instead), so neither does this layout.
        for (int i = 0; i < 16; i++) {
            long offset = s.rip + i;
            if (!s.mode.is64()) {
                offset &= 0xffffffffL;
            }
            long linear = s.mode.is64() ? offset : (s.csBase() + offset) & 0xffffffffL;
            long gpa = s.cr0Pg ? mapPage(linear & ~4095L) | (linear & 4095) : linear;
            code.put(gpa, s.insn[i]);
        }
    }

    long reg(Register r) {
        return lo[r.ordinal()];
    }

    /** The GPA page that a GVA page maps to (before any TOCTOU twist). */
    long mapPage(long gvaPage) {
        if ((s.pagePolicy & 0x10) != 0) {
            return (Scenario.mix(s.seed ^ gvaPage) & 0xfffffL) << 12;
        }
        return gvaPage & 0x000ffffffffff000L;
    }

    boolean isCodePage(long gvaPage) {
        long start = s.mode.is64() ? s.rip : (s.csBase() + s.rip) & 0xffffffffL;
        long page = start & ~4095L;
        return gvaPage == page || gvaPage == ((page + 4096) & (s.mode.is64() ? -1L : 0xffffffffL));
    }

    /** Fails this call if the scenario says so; counts it. */
    private boolean injectFailure(int kind, int kindCount) {
        calls++;
        if (failedKind != 0) {
            violations.add("callback " + kind + " called after a failed callback (kind " + failedKind + ")");
        }
        boolean fail = s.failAt != 0 && (s.failKind == kind && kindCount == s.failAt || s.failKind == ANY && calls == s.failAt);
        if (fail) {
            failedKind = kind;
            events.add("FAIL " + kind);
            if (s.failThrows) {
                throw new IllegalStateException("injected failure");
            }
        }
        return fail;
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        if (injectFailure(GET, ++getCalls)) {
            return false;
        }
        StringBuilder sb = new StringBuilder("get");
        for (int i = 0; i < registers.count(); i++) {
            Register r = registers.name(i);
            sb.append(' ').append(r);
            registers.set(i, lo[r.ordinal()], hi[r.ordinal()]);
        }
        events.add(sb.toString());
        return true;
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        List<Register> names = new ArrayList<>();
        for (int i = 0; i < registers.count(); i++) {
            names.add(registers.name(i));
        }
        setBatches.add(names);
        if (injectFailure(SET, ++setCalls)) {
            return false;
        }
        StringBuilder sb = new StringBuilder("set");
        for (int i = 0; i < registers.count(); i++) {
            Register r = registers.name(i);
            sb.append(' ').append(r).append('=').append(Long.toHexString(registers.low(i)));
            if (r.kind() != Register.Kind.GPR) {
                sb.append(':').append(Long.toHexString(registers.high(i)));
            }
            lo[r.ordinal()] = registers.low(i);
            hi[r.ordinal()] = registers.high(i);
        }
        events.add(sb.toString());
        return true;
    }

    long peekByte(long gpa) {
        Byte w = written.get(gpa);
        if (w != null) {
            return w & 0xff;
        }
        Byte c = code.get(gpa);
        if (c != null) {
            return c & 0xff;
        }
        return Scenario.mix(s.seed ^ (gpa * 0x9E3779B97F4A7C15L)) & 0xff;
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        int size = access.size();
        long gpa = access.gpa();
        if (size < 1 || size > 8) {
            violations.add("memory access of " + size + " bytes");
        }
        if ((gpa & 4095) + size > 4096) {
            violations.add("memory access crosses a page: " + Long.toHexString(gpa) + " size " + size);
        }
        if (access.isWrite()) {
            memoryWrites++;
        }
        if (injectFailure(MEMORY, ++memoryCalls)) {
            return false;
        }
        if (access.isWrite()) {
            for (int i = 0; i < size; i++) {
                written.put(gpa + i, (byte) access.dataByte(i));
            }
            events.add("w " + Long.toHexString(gpa) + " " + size + " " + Long.toHexString(access.data()));
        } else {
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = (v << 8) | peekByte(gpa + i);
            }
            if (s.readGarbage && size < 8) {
                v |= Scenario.mix(gpa) << (8 * size);
            }
            access.setData(v);
            events.add("r " + Long.toHexString(gpa) + " " + size);
        }
        return true;
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        int size = access.size();
        if (size != 1 && size != 2 && size != 4) {
            violations.add("port access of " + size + " bytes");
        }
        if (access.port() < 0 || access.port() > 0xffff) {
            violations.add("port number " + access.port());
        }
        portAccesses++;
        if (injectFailure(PORT, ++portCalls)) {
            return false;
        }
        if (access.isWrite()) {
            events.add("out " + Integer.toHexString(access.port()) + " " + size + " " + Integer.toHexString(access.data()));
        } else {
            int v = (int) Scenario.mix(s.seed + access.port() + portCalls);
            if (!s.portGarbage && size < 4) {
                v &= (1 << (8 * size)) - 1;
            }
            access.setData(v);
            events.add("in " + Integer.toHexString(access.port()) + " " + size);
        }
        return true;
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        if ((gvaPage & 4095) != 0) {
            violations.add("translation of an unaligned page " + Long.toHexString(gvaPage));
        }
        if (!s.mode.is64() && (gvaPage >>> 32) != 0) {
            violations.add("translation of " + Long.toHexString(gvaPage) + " outside 64-bit mode");
        }
        if ((translateFlags & ~0x1f) != 0 || (translateFlags & 7) == 0) {
            violations.add("translation flags " + translateFlags);
        }
        if (injectFailure(TRANSLATE, ++translateCalls)) {
            return false;
        }
        events.add("t " + Long.toHexString(gvaPage) + " " + translateFlags);
        int p = s.pagePolicy;
        long h = Scenario.mix(s.seed ^ gvaPage ^ 0x5555);
        int code = GvaTranslation.SUCCESS;
        boolean policyApplies = (p & 0x20) != 0 || !isCodePage(gvaPage);
        if (policyApplies) {
            switch (p & 3) {
                case 1: if (h % 5 == 0) { code = GvaTranslation.PAGE_NOT_PRESENT; } break;
                case 2: if ((h & 1) == 0) { code = GvaTranslation.PAGE_NOT_PRESENT; } break;
                case 3: code = GvaTranslation.PAGE_NOT_PRESENT; break;
                default: break;
            }
            if (code == GvaTranslation.SUCCESS) {
                long h2 = (h >>> 8) & 0xff;
                switch ((p >> 2) & 3) {
                    case 1: if (h2 % 3 == 0) { code = GvaTranslation.PRIVILEGE_VIOLATION; } break;
                    case 2: if (h2 % 3 == 0) { code = GvaTranslation.INVALID_PAGE_TABLE_FLAGS; } break;
                    case 3: {
                        int[] odd = {GvaTranslation.GPA_UNMAPPED, GvaTranslation.INTERCEPT, 9, -1,
                            GvaTranslation.GPA_NO_WRITE_ACCESS};
                        if (h2 % 2 == 0) {
                            code = odd[(int) (h2 >>> 1) % odd.length];
                        }
                        break;
                    }
                    default: break;
                }
            }
        }
        long gpa = mapPage(gvaPage);
        int n = translationsOfPage.merge(gvaPage, 1, Integer::sum);
        if ((p & 0x80) != 0 && n > 1) {
            gpa ^= (long) n << 12; // another vCPU changed the page tables in between
        }
        if ((p & 0x40) != 0 && (h & 0x30000) == 0) {
            gpa |= 0x8; // not page aligned
        }
        result.set(code, gpa);
        return true;
    }

    /** The final guest state, for comparing runs. */
    String state() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lo.length; i++) {
            sb.append(Long.toHexString(lo[i])).append(':').append(Long.toHexString(hi[i])).append(' ');
        }
        new java.util.TreeMap<>(written).forEach((k, v) -> sb.append(Long.toHexString(k)).append('=').append(v).append(' '));
        return sb.toString();
    }
}
