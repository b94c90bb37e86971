package dev.hvex.bench;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The VMM of the benchmarks: every callback is allocation-free and does about what a real VMM's
 * would, with no logging.
 *
 * <ul>
 *   <li>registers: two {@code long[]} indexed by {@link Register#ordinal()};</li>
 *   <li>guest-physical memory: a flat {@code byte[]} of {@link #RAM_SIZE} bytes at GPA 0, plus one
 *       4 KiB MMIO window at {@link #MMIO_GPA} backed by a {@code long[]} of device registers, whose
 *       accesses are counted; other addresses are unassigned (writes dropped, reads all ones);</li>
 *   <li>translation: a small table of GVA pages (a linear scan of a few entries, as a software TLB
 *       would be), falling back to identity;</li>
 *   <li>ports: writes are counted and kept in a field, reads return a constant.</li>
 * </ul>
 */
public final class BenchVmm implements EmulatorCallbacks {
    public static final int RAM_SIZE = 1 << 20;
    /** The device's 4 KiB MMIO page. */
    public static final long MMIO_GPA = 0xFEC0_0000L;
    /** A higher-half kernel address mapped onto the MMIO page by the translation table. */
    public static final long MMIO_GVA = 0xFFFF_8000_FEC0_0000L;
    public static final int PORT_VALUE = 0x5a;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    public final long[] lo = new long[Register.count()];
    public final long[] hi = new long[Register.count()];
    public final byte[] ram = new byte[RAM_SIZE];
    /** The device's registers: 512 longs covering the 4 KiB window. */
    public final long[] device = new long[512];
    public long mmioReads;
    public long mmioWrites;
    /** Accesses outside RAM and the MMIO window. */
    public long unassigned;
    public long portReads;
    public long portWrites;
    public int lastPortValue;

    private final long[] tlbGva = new long[8];
    private final long[] tlbGpa = new long[8];
    private int tlbCount;

    public BenchVmm() {
        map(MMIO_GVA, MMIO_GPA);
    }

    /** Adds a GVA page to GPA page mapping to the translation table (others translate to themselves). */
    public BenchVmm map(long gvaPage, long gpaPage) {
        tlbGva[tlbCount] = gvaPage;
        tlbGpa[tlbCount] = gpaPage;
        tlbCount++;
        return this;
    }

    public BenchVmm set(Register r, long value) {
        lo[r.ordinal()] = value;
        return this;
    }

    public long get(Register r) {
        return lo[r.ordinal()];
    }

    public BenchVmm segment(Register r, long base, int limit, int selector, int attributes) {
        lo[r.ordinal()] = base;
        hi[r.ordinal()] = RegisterValues.packSegment(limit, selector, attributes);
        return this;
    }

    public long mmioAccesses() {
        return mmioReads + mmioWrites;
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        if (access.isWrite()) {
            portWrites++;
            lastPortValue = access.data();
        } else {
            portReads++;
            access.setData(PORT_VALUE);
        }
        return true;
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        long gpa = access.gpa();
        int size = access.size();
        if ((gpa & ~4095L) == MMIO_GPA) {
            int slot = (int) (gpa & 4095) >>> 3;
            if (access.isWrite()) {
                mmioWrites++;
                device[slot] = access.data();
            } else {
                mmioReads++;
                access.setData(device[slot]);
            }
            return true;
        }
        if (gpa < 0 || gpa + size > RAM_SIZE) {
            // Unassigned guest-physical space: writes are dropped, reads float high (as on a PC bus).
            unassigned++;
            if (!access.isWrite()) {
                access.setData(-1L);
            }
            return true;
        }
        int at = (int) gpa;
        if (access.isWrite()) {
            long v = access.data();
            switch (size) {
                case 1: ram[at] = (byte) v; break;
                case 2: SHORT.set(ram, at, (short) v); break;
                case 4: INT.set(ram, at, (int) v); break;
                case 8: LONG.set(ram, at, v); break;
                default:
                    for (int i = 0; i < size; i++) {
                        ram[at + i] = (byte) (v >>> (8 * i));
                    }
            }
        } else {
            long v;
            switch (size) {
                case 1: v = ram[at] & 0xffL; break;
                case 2: v = (short) SHORT.get(ram, at) & 0xffffL; break;
                case 4: v = (int) INT.get(ram, at) & 0xffffffffL; break;
                case 8: v = (long) LONG.get(ram, at); break;
                default:
                    v = 0;
                    for (int i = size - 1; i >= 0; i--) {
                        v = (v << 8) | (ram[at + i] & 0xff);
                    }
            }
            access.setData(v);
        }
        return true;
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        long[] l = lo;
        long[] h = hi;
        for (int i = 0, n = registers.count(); i < n; i++) {
            int r = registers.name(i).ordinal();
            registers.set(i, l[r], h[r]);
        }
        return true;
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        long[] l = lo;
        long[] h = hi;
        for (int i = 0, n = registers.count(); i < n; i++) {
            int r = registers.name(i).ordinal();
            l[r] = registers.low(i);
            h[r] = registers.high(i);
        }
        return true;
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        for (int i = 0; i < tlbCount; i++) {
            if (tlbGva[i] == gvaPage) {
                result.set(GvaTranslation.SUCCESS, tlbGpa[i]);
                return true;
            }
        }
        result.set(GvaTranslation.SUCCESS, gvaPage & 0x000F_FFFF_FFFF_F000L);
        return true;
    }
}
