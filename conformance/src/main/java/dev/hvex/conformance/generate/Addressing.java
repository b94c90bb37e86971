package dev.hvex.conformance.generate;

import java.util.Random;

/**
 * One ModRM memory addressing form (16-, 32- or 64-bit), chosen at random, and the register and
 * displacement values that make it compute a wanted effective address.
 */
final class Addressing {
    enum Kind { BASE, SIB, SIB_NO_INDEX, SIB_NO_BASE, DISP_ONLY, RIP, BX_SI, BX_DI, BP_SI, BP_DI, SI, DI, BP, BX, DISP16 }

    final int asz;          // 2, 4, 8 bytes
    final Kind kind;
    final int mod;
    final int rm;           // ModRM.rm (low 3 bits)
    final boolean sib;
    final int base;         // full register number, -1 none
    final int index;        // full register number, -1 none
    final int scale;        // 0..3
    final int dispSize;     // 0, 1, 2, 4
    /** In 64-bit code, SIB.index = 100b with REX.X = 1 names R12; with REX.X = 0 it is "no index". */
    long disp;
    long baseValue;
    long indexValue;

    private Addressing(int asz, Kind kind, int mod, int rm, boolean sib, int base, int index, int scale, int dispSize) {
        this.asz = asz;
        this.kind = kind;
        this.mod = mod;
        this.rm = rm;
        this.sib = sib;
        this.base = base;
        this.index = index;
        this.scale = scale;
        this.dispSize = dispSize;
    }

    String tag() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + (dispSize == 0 ? "" : "_d" + 8 * dispSize);
    }

    /** Which segment the form uses by default: SS for rBP/rSP bases, else DS. */
    int defaultSegment() {
        if (asz == 2) {
            return kind == Kind.BP_SI || kind == Kind.BP_DI || kind == Kind.BP ? GuestLayout.SS : GuestLayout.DS;
        }
        return base == 4 || base == 5 ? GuestLayout.SS : GuestLayout.DS;
    }

    /** The registers the form reads (full numbers). */
    int[] registers() {
        if (asz == 2) {
            switch (kind) {
                case BX_SI: return new int[] {3, 6};
                case BX_DI: return new int[] {3, 7};
                case BP_SI: return new int[] {5, 6};
                case BP_DI: return new int[] {5, 7};
                case SI: return new int[] {6};
                case DI: return new int[] {7};
                case BP: return new int[] {5};
                case BX: return new int[] {3};
                default: return new int[0];
            }
        }
        if (base >= 0 && index >= 0) {
            return new int[] {base, index};
        }
        if (base >= 0) {
            return new int[] {base};
        }
        if (index >= 0) {
            return new int[] {index};
        }
        return new int[0];
    }

    /**
     * A random addressing form. rSP is never a base or index here: its value is the stack's. Registers
     * 8-15 only in 64-bit mode.
     */
    static Addressing random(Random rnd, int asz, boolean longMode) {
        if (asz == 2) {
            int rm = rnd.nextInt(8);
            int mod = rnd.nextInt(3);
            if (rm == 6 && mod == 0) {
                return new Addressing(2, Kind.DISP16, 0, 6, false, -1, -1, 0, 2);
            }
            Kind k = new Kind[] {Kind.BX_SI, Kind.BX_DI, Kind.BP_SI, Kind.BP_DI, Kind.SI, Kind.DI, Kind.BP, Kind.BX}[rm];
            return new Addressing(2, k, mod, rm, false, -1, -1, 0, mod == 0 ? 0 : mod == 1 ? 1 : 2);
        }
        int regs = longMode ? 16 : 8;
        int p = rnd.nextInt(100);
        if (longMode && p < 10) {
            return new Addressing(asz, Kind.RIP, 0, 5, false, -1, -1, 0, 4);
        }
        if (p < 15) {
            // [disp32]: ModRM rm=101 outside 64-bit mode, SIB base=101 index=100 in 64-bit mode.
            if (longMode) {
                return new Addressing(asz, Kind.DISP_ONLY, 0, 4, true, -1, -1, rnd.nextInt(4), 4);
            }
            return new Addressing(asz, Kind.DISP_ONLY, 0, 5, false, -1, -1, 0, 4);
        }
        if (p < 20) {
            int index = pick(rnd, regs, -1);
            return new Addressing(asz, Kind.SIB_NO_BASE, 0, 4, true, -1, index, rnd.nextInt(4), 4);
        }
        int mod = rnd.nextInt(3);
        int base = pick(rnd, regs, -1);
        if ((base & 7) == 5 && mod == 0) {
            mod = 1 + rnd.nextInt(2);
        }
        int dispSize = mod == 0 ? 0 : mod == 1 ? 1 : 4;
        if (p < 55 && base != 12) {
            return new Addressing(asz, Kind.BASE, mod, base & 7, false, base, -1, 0, dispSize);
        }
        if (p < 62 || base == 12 && p < 55) {
            return new Addressing(asz, Kind.SIB_NO_INDEX, mod, 4, true, base, -1, rnd.nextInt(4), dispSize);
        }
        int index = pick(rnd, regs, base);
        return new Addressing(asz, Kind.SIB, mod, 4, true, base, index, rnd.nextInt(4), dispSize);
    }

    private static int pick(Random rnd, int regs, int not) {
        for (;;) {
            int r = rnd.nextInt(regs);
            if (r != 4 && r != not) {
                return r;
            }
        }
    }

    /** The effective addresses this form can produce: {lo, hi} (signed, inclusive), before the segment. */
    long[] eaRange(long ripNext) {
        switch (kind) {
            case DISP_ONLY:
                return asz == 8 ? new long[] {0, 0x7fff_ffffL} : new long[] {0, mask()};
            case RIP:
                return asz == 8 ? new long[] {ripNext - 0x7fff_0000L, ripNext + 0x7fff_0000L} : new long[] {0, mask()};
            default:
                return asz == 8 ? new long[] {Long.MIN_VALUE / 4, Long.MAX_VALUE / 4} : new long[] {0, mask()};
        }
    }

    long mask() {
        return asz == 8 ? -1L : (1L << (8 * asz)) - 1;
    }

    /**
     * Chooses displacement and register values so the form computes {@code ea} (taken modulo the address
     * size). {@code fixed} gives the value of a register that is already decided, or null.
     */
    void solve(Random rnd, long ea, long ripNext, java.util.function.IntFunction<Long> fixed) {
        long m = mask();
        switch (kind) {
            case DISP_ONLY:
                disp = ea;
                return;
            case DISP16:
                disp = ea & 0xffff;
                return;
            case RIP:
                disp = (int) (ea - ripNext);
                return;
            case SIB_NO_BASE: {
                long d = (long) (rnd.nextInt(1 << 30)) - (1 << 29);
                if (rnd.nextInt(3) == 0) {
                    d = rnd.nextInt(0x200) - 0x100;
                }
                long rest = ea - d;
                long low = rest & ((1L << scale) - 1);
                d += low;
                disp = d;
                indexValue = ((ea - d) & m) >>> scale;
                return;
            }
            default:
                break;
        }
        disp = randomDisp(rnd);
        if (asz == 2) {
            int[] regs = registers();
            long rest = ea - disp;
            if (regs.length == 2) {
                Long fixedIdx = fixed.apply(regs[1]);
                indexValue = fixedIdx != null ? fixedIdx : randomIndex(rnd);
                rest -= indexValue;
            }
            baseValue = rest & m;
            return;
        }
        long rest = ea - disp;
        if (index >= 0) {
            Long fixedIdx = fixed.apply(index);
            indexValue = fixedIdx != null ? fixedIdx : randomIndex(rnd);
            rest -= indexValue << scale;
        }
        baseValue = rest & m;
    }

    private long randomDisp(Random rnd) {
        switch (dispSize) {
            case 1: return (byte) rnd.nextInt(256);
            case 2: return (short) rnd.nextInt(0x10000);
            case 4: return rnd.nextBoolean() ? rnd.nextInt(0x2000) - 0x1000 : rnd.nextInt();
            default: return 0;
        }
    }

    private long randomIndex(Random rnd) {
        int p = rnd.nextInt(10);
        long v;
        if (p < 5) {
            v = rnd.nextInt(0x400) - 0x100;
        } else if (p < 8) {
            v = rnd.nextInt(0x100000);
        } else {
            v = asz == 8 ? rnd.nextLong() >> rnd.nextInt(40) : rnd.nextLong();
        }
        return v & mask();
    }
}
