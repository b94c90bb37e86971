package dev.hvex.jit;

import dev.hvex.CpuMode;
import dev.hvex.decode.DecodedInstruction;

/**
 * One distinct instruction (its exact bytes, in one mode) as the cache knows it: the decoded snapshot,
 * the registers it needs, how often it ran, and once hot, its handler. Fields other than {@link #hits}
 * and {@link #handler} are fixed at creation, so a profile can be shared by threads without locks.
 */
public final class Profile {
    final CpuMode mode;
    final int length;
    final long key0;
    final long key1;
    public final DecodedInstruction decoded = new DecodedInstruction();
    public final int gprMask;
    public final int segMask;
    public final int xmmMask;
    public final int ymmMask;
    public final boolean cr0;
    /** The registers to get, in the order the engine reads them back: GPRs, segments, XMM, YMM high, CR0. */
    public final dev.hvex.Register[] names;
    /** Racy counter: an undercount only delays specialization. */
    int hits;
    public volatile Handler handler;

    Profile(CpuMode mode, int length, long key0, long key1, DecodedInstruction d, int gprMask, int segMask,
            int xmmMask, int ymmMask, boolean cr0) {
        this.mode = mode;
        this.length = length;
        this.key0 = key0;
        this.key1 = key1;
        this.decoded.copyFrom(d);
        this.gprMask = gprMask;
        this.segMask = segMask;
        this.xmmMask = xmmMask;
        this.ymmMask = ymmMask;
        this.cr0 = cr0;
        java.util.List<dev.hvex.Register> list = new java.util.ArrayList<>();
        for (int m = gprMask; m != 0; m &= m - 1) {
            list.add(dev.hvex.Register.gpr(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = segMask; m != 0; m &= m - 1) {
            list.add(dev.hvex.Register.segment(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = xmmMask; m != 0; m &= m - 1) {
            list.add(dev.hvex.Register.xmm(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = ymmMask; m != 0; m &= m - 1) {
            list.add(dev.hvex.Register.ymmHigh(Integer.numberOfTrailingZeros(m)));
        }
        if (cr0) {
            list.add(dev.hvex.Register.CR0);
        }
        this.names = list.toArray(new dev.hvex.Register[0]);
    }
}
