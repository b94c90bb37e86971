package dev.hvex.conformance.generate;

import dev.hvex.CpuMode;
import dev.hvex.conformance.Bytes;
import dev.hvex.conformance.ExitCase.MemKind;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.Page;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The guest of one case under construction: segment registers, 4 KiB pages and memory regions, with the
 * placement rules the processor oracle needs (user-half linear addresses away from its own mappings,
 * LDT-encodable segments, one region per page touched).
 */
final class GuestLayout {
    static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    static final long PAGE = 0x1000;
    /** Long-mode linear addresses are chosen below this (the oracle's own mappings live at 0x55.., 0x7f..). */
    static final long LONG_TOP = 0x4000_0000_0000L;
    static final long LOW_LIMIT = 0x10000;

    final CpuMode mode;
    final Random rnd;
    final long[] segBase = new long[6];
    final long[] segLimit = new long[6];
    final int[] segAttr = new int[6];
    final int[] segSel = new int[6];
    final boolean[] segAssigned = new boolean[6];

    final List<Page> pages = new ArrayList<>();
    /** Regions under construction: {gpa, kind (1 = MMIO)} and their bytes, which stay mutable until {@link #regions()}. */
    private final List<long[]> regionAt = new ArrayList<>();
    private final List<byte[]> regionBytes = new ArrayList<>();
    private final Set<Long> linearPages = new HashSet<>();
    private final Set<Long> gpaPages = new HashSet<>();

    /** Long-mode guests (the processor oracle's) use paging; real and protected ones run with paging off. */
    final boolean paging;
    /** The CPL the case runs at: 3 under the processor oracle, 0 or 3 under KVM. */
    final int cpl;

    GuestLayout(CpuMode mode, Random rnd) {
        this(mode, rnd, 3);
    }

    GuestLayout(CpuMode mode, Random rnd, int cpl) {
        this.mode = mode;
        this.rnd = rnd;
        this.cpl = cpl;
        this.paging = mode == CpuMode.LONG64 || mode == CpuMode.COMPAT32 || mode == CpuMode.COMPAT16;
        if (mode == CpuMode.REAL16) {
            for (int s = 0; s < 6; s++) {
                segLimit[s] = 0xffff;
                segAttr[s] = s == CS ? 0x9b : 0x93;
            }
            return;
        }
        if (!paging) {
            // Protected mode, paging off: GDT selectors (the KVM oracle mirrors TI=0 selectors below entry 56).
            int dpl = cpl << 5;
            int[] sels = {0x20, 0x08, 0x10, 0x18, 0x28, 0x30};
            for (int s = 0; s < 6; s++) {
                segSel[s] = sels[s] | cpl;
                boolean small = mode == CpuMode.PROT16 && (s == CS || rnd.nextInt(2) == 0) || mode == CpuMode.PROT32 && s != CS && rnd.nextInt(6) == 0;
                if (s == CS) {
                    segAttr[s] = (mode == CpuMode.PROT32 ? 0xc09b : 0x9b) | dpl;
                    segLimit[s] = mode == CpuMode.PROT32 ? 0xffffffffL : 0xffff;
                } else {
                    segAttr[s] = (small ? 0x93 : 0xc093) | dpl;
                    segLimit[s] = small ? 0xffff : 0xffffffffL;
                }
            }
            if (cpl == 0) {
                // On this host an exception at CPL 0 (frame pushed on the case's own stack) is not delivered
                // (triple fault) when SS has a non-zero base: SS keeps base 0 there.
                segAssigned[SS] = true;
                segBase[SS] = 0;
            }
            return;
        }
        if (mode == CpuMode.LONG64) {
            for (int s = 0; s < 6; s++) {
                segSel[s] = s == CS ? 0x33 : 0x2b;
                segLimit[s] = 0xffffffffL;
                segAttr[s] = s == CS ? 0xa0fb : 0xc0f3;
                segAssigned[s] = s != FS && s != GS;
            }
            if (cpl == 0) {
                toCpl0();
            }
        } else {
            int[] sels = {0x27, 0x0f, 0x17, 0x1f, 0x2f, 0x37};
            for (int s = 0; s < 6; s++) {
                segSel[s] = sels[s];
                boolean small = mode == CpuMode.COMPAT16 && (s == CS || rnd.nextInt(2) == 0);
                if (s == CS) {
                    segAttr[s] = mode == CpuMode.COMPAT32 ? 0xc0fb : 0xfb;
                    segLimit[s] = mode == CpuMode.COMPAT32 ? 0xffffffffL : 0xffff;
                } else {
                    segAttr[s] = small ? 0xf3 : 0xc0f3;
                    segLimit[s] = small ? 0xffff : 0xffffffffL;
                }
            }
            if (cpl == 0) {
                toCpl0();
            }
        }
    }

    /** CPL 0 (KVM only): DPL 0 segments, RPL 0 selectors. */
    private void toCpl0() {
        for (int s = 0; s < 6; s++) {
            segAttr[s] &= ~0x60;
            segSel[s] &= ~3;
        }
    }

    /** The segment's base, choosing one now if it has none yet. */
    long base(int s) {
        return base(s, true);
    }

    /** The base; an unused segment ({@code used} false) often keeps base 0. */
    long base(int s, boolean used) {
        if (!segAssigned[s] && !used && rnd.nextInt(10) < 7) {
            segAssigned[s] = true;
            segBase[s] = 0;
        }
        if (!segAssigned[s]) {
            segAssigned[s] = true;
            if (mode == CpuMode.REAL16) {
                segSel[s] = rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(0x10000);
                segBase[s] = (long) segSel[s] << 4;
            } else if (mode == CpuMode.LONG64) {
                // FS/GS: a non-zero base, sometimes small, usually in the tens of GiB.
                segBase[s] = rnd.nextInt(4) == 0 ? (rnd.nextInt(0x10000) << 12) + rnd.nextInt(0x1000)
                        : (0x100000000L + (rnd.nextLong() & 0x7f_ffff_ffffL));
            } else {
                segBase[s] = rnd.nextInt(5) == 0 ? 0 : rnd.nextLong() & 0xffffffffL;
            }
        }
        return segBase[s];
    }

    /** Whether every page of [from, to) is free and placeable. */
    boolean rangeFree(long from, long to) {
        if (from < LOW_LIMIT || to <= from) {
            return false;
        }
        // Paging off, linear = GPA: below 1 MiB + 64 KiB in real mode, below the APIC and BIOS area otherwise.
        long top = mode == CpuMode.LONG64 ? LONG_TOP : mode == CpuMode.REAL16 ? 0x11_0000L : paging ? 0x1_0000_0000L : 0xfec0_0000L;
        if (to > top) {
            return false;
        }
        for (long p = from & -PAGE; p < to; p += PAGE) {
            if (linearPages.contains(p)) {
                return false;
            }
        }
        return true;
    }

    void reserve(long linearPage) {
        linearPages.add(linearPage & -PAGE);
    }

    /** A fresh guest-physical page: MMIO pages above 3 GiB, RAM pages in the first 16 MiB. */
    long newGpa(boolean mmio) {
        for (;;) {
            long gpa = mmio ? 0xd000_0000L + ((long) rnd.nextInt(0x4000) << 12) : 0x10_0000L + ((long) rnd.nextInt(0xf00) << 12);
            if (gpaPages.add(gpa)) {
                return gpa;
            }
        }
    }

    /** Maps a linear page, returns its GPA page. */
    long map(long linearPage, boolean mmio, boolean writable, boolean exec) {
        if (!paging) {
            linearPages.add(linearPage);
            gpaPages.add(linearPage);
            return linearPage;
        }
        long gpa = newGpa(mmio);
        linearPages.add(linearPage);
        pages.add(new Page(linearPage, gpa, writable, true, exec));
        return gpa;
    }

    /** Adds a region of {@code bytes} at the GPA backing linear address {@code linear} (page {@code gpaPage}). */
    void region(long gpaPage, long linear, byte[] bytes, boolean mmio) {
        regionAt.add(new long[] {gpaPage + (linear & (PAGE - 1)), mmio ? 1 : 0});
        regionBytes.add(bytes);
    }

    List<MemRegion> regions() {
        List<MemRegion> list = new ArrayList<>();
        for (int i = 0; i < regionAt.size(); i++) {
            long[] r = regionAt.get(i);
            list.add(new MemRegion(r[0], r[1] == 1 ? MemKind.MMIO : MemKind.RAM, Bytes.of(regionBytes.get(i))));
        }
        return list;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
