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
        dev.hvex.RegisterValues batch = new dev.hvex.RegisterValues(Integer.bitCount(gprMask)
            + Integer.bitCount(segMask) + Integer.bitCount(xmmMask) + Integer.bitCount(ymmMask) + (cr0 ? 1 : 0));
        dev.hvex.interp.Engine.addNames(batch, gprMask, segMask, xmmMask, ymmMask, cr0);
        this.names = new dev.hvex.Register[batch.count()];
        for (int i = 0; i < names.length; i++) {
            names[i] = batch.name(i);
        }
    }
}
