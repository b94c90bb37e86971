package dev.hvex.hostile;

import dev.hvex.CpuMode;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MmioAccessContext;
import dev.hvex.VpExitContext;

/**
 * One adversarial exit, parsed from a byte string: the input format of the emulator fuzz test and of
 * its committed seeds. Every byte is guest- or VMM-controlled state; missing bytes read as zero, so
 * any byte string is a valid scenario.
 *
 * <pre>
 *  [0]  mode (bits 0-2, mod 7) | cpl (3-4) | CR0.AM (5) | CR0.PG (6) | port-I/O exit (7)
 *  [1]  RFLAGS: DF (0) AC (1) IOPL (2-3) CF (4) ZF (5) SF (6) OF (7)
 *  [2]  instruction bytes the exit reports (mod 17; the rest is fetched from guest memory)
 *  [3]  REP budget - 1 (bits 0-5)
 *  [4]  failure injection: kind (0-2: 0 none, 1 get, 2 set, 3 memory, 4 translate, 5 port, 6 any),
 *       throw instead of returning false (3), interruption pending when bits 4-7 are all set
 *  [5]  which call of that kind fails (1-based; 0 never)
 *  [6]  paging policy: not-present (0-1), other translation results (2-3), scrambled GPAs (4),
 *       the policy covers the code pages too (5), unaligned GPA now and then (6), answers change
 *       between calls of the same page (7)
 *  [7]  segments ES (0-2), SS (3-5), DS (6-7 + [8] bit 0)
 *  [8]  FS (1-3), GS (4-6), small CS limit (7)
 *  [9]  RIP (0-2), read data with garbage above the access size (3), port data garbage (4),
 *       a dishonest exit context (5: an MMIO write at GPA 0x2000 / the port fields as given),
 *       an MMIO read exit rather than a write (6)
 *  [10..25] the 16 instruction bytes at CS:RIP
 *  [26..41] one byte per general register: palette value (0-3) plus a small offset (4-7)
 *  [42..]   hashed into the seed of memory, vector registers and translations
 * </pre>
 */
final class Scenario {
    static final int HEADER = 42;
    static final CpuMode[] MODES = CpuMode.values();

    final byte[] raw;
    final CpuMode mode;
    final int cpl;
    final boolean cr0Am;
    final boolean cr0Pg;
    final boolean io;
    final long rflags;
    final int byteCount;
    final long repBudget;
    final int failKind;
    final boolean failThrows;
    final int failAt;
    final boolean interruptionPending;
    final int pagePolicy;
    final int[] segPalette = new int[6];
    final boolean smallCsLimit;
    final long rip;
    final boolean readGarbage;
    final boolean portGarbage;
    final boolean dishonestExit;
    final boolean mmioRead;
    final byte[] insn = new byte[16];
    final long[] gpr = new long[16];
    final long seed;

    static final long[] GPR_PALETTE = {
        0, 1, 0x2000, 0x1ffe, 0xfff, 0xffff, 0xfffe, 0xffffffffL,
        0xfffffffcL, 0x7fffffffffffL, 0x800000000000L, 0xffff800000000000L,
        0x8000000000000000L, 0xfffffffffffffffcL, 0x100000ff8L, -1L,
    };
    static final long[] RIP_PALETTE = {
        0x1000, 0xffe, 0xfffe, 0xfff8, 0xfffffffeL, 0x7ffffffffff9L, 0xfffffffffffffffeL, 0x10ff9,
    };

    Scenario(byte[] data) {
        raw = data.clone();
        int b0 = at(0);
        mode = MODES[(b0 & 7) % 7];
        cpl = mode == CpuMode.REAL16 ? 0 : mode == CpuMode.VM86 ? 3 : (b0 >> 3) & 3;
        cr0Am = (b0 & 0x20) != 0;
        cr0Pg = mode != CpuMode.REAL16 && ((b0 & 0x40) != 0 || mode.is64() || mode == CpuMode.COMPAT16
            || mode == CpuMode.COMPAT32);
        io = (b0 & 0x80) != 0;
        int b1 = at(1);
        long f = 0x2;
        if ((b1 & 1) != 0) {
            f |= 1L << 10;
        }
        if ((b1 & 2) != 0) {
            f |= 1L << 18;
        }
        f |= (long) ((b1 >> 2) & 3) << 12;
        if ((b1 & 0x10) != 0) {
            f |= 1;
        }
        if ((b1 & 0x20) != 0) {
            f |= 1L << 6;
        }
        if ((b1 & 0x40) != 0) {
            f |= 1L << 7;
        }
        if ((b1 & 0x80) != 0) {
            f |= 1L << 11;
        }
        if (mode == CpuMode.VM86) {
            f |= 1L << 17;
        }
        rflags = f;
        byteCount = at(2) % 17;
        repBudget = 1 + (at(3) & 63);
        int b4 = at(4);
        failKind = b4 & 7;
        failThrows = (b4 & 8) != 0;
        interruptionPending = (b4 & 0xf0) == 0xf0;
        failAt = at(5);
        pagePolicy = at(6);
        int segBits = at(7) | at(8) << 8;
        segPalette[0] = segBits & 7;          // ES
        segPalette[2] = (segBits >> 3) & 7;   // SS
        segPalette[3] = (segBits >> 6) & 7;   // DS
        segPalette[4] = (segBits >> 9) & 7;   // FS
        segPalette[5] = (segBits >> 12) & 7;  // GS
        smallCsLimit = (segBits & 0x8000) != 0;
        int b9 = at(9);
        rip = RIP_PALETTE[b9 & 7];
        readGarbage = (b9 & 8) != 0;
        portGarbage = (b9 & 16) != 0;
        dishonestExit = (b9 & 32) != 0;
        mmioRead = (b9 & 64) != 0;
        for (int i = 0; i < 16; i++) {
            insn[i] = (byte) at(10 + i);
        }
        for (int i = 0; i < 16; i++) {
            int b = at(26 + i);
            gpr[i] = GPR_PALETTE[b & 15] + ((b >> 4) - 8);
        }
        long h = 0x9E3779B97F4A7C15L;
        for (int i = HEADER; i < data.length; i++) {
            h = mix(h ^ (data[i] & 0xff) ^ ((long) i << 8));
        }
        seed = h;
    }

    private int at(int i) {
        return i < raw.length ? raw[i] & 0xff : 0;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The code segment's access rights for the mode. */
    int csAttributes() {
        switch (mode) {
            case REAL16: return 0x9b;
            case VM86: return 0xf3;
            case PROT16: case COMPAT16: return 0x9b;
            case PROT32: case COMPAT32: return 0xc09b;
            default: return 0xa09b;
        }
    }

    long csBase() {
        return mode.isRealAddressing() ? 0x10000 : 0;
    }

    int csLimit() {
        if (smallCsLimit) {
            return (int) ((rip & 0xffff) + 5);
        }
        return mode.isRealAddressing() || mode == CpuMode.PROT16 || mode == CpuMode.COMPAT16 ? 0xffff : 0xffffffff;
    }

    VpExitContext exit() {
        VpExitContext vp = new VpExitContext()
            .setCr0Pe(mode != CpuMode.REAL16)
            .setEferLma(mode.is64() || mode == CpuMode.COMPAT16 || mode == CpuMode.COMPAT32)
            .setCpl(cpl)
            .setCr0Am(cr0Am)
            .setRip(rip)
            .setRflags(rflags)
            .setInterruptionPending(interruptionPending);
        vp.cs().set(csBase(), csLimit(), mode == CpuMode.REAL16 || mode == CpuMode.VM86 ? 0x1000 : 0x8 | cpl,
            csAttributes());
        if (vp.mode() != mode) {
            throw new IllegalStateException("scenario builds " + vp.mode() + " for " + mode);
        }
        return vp;
    }

    /**
     * An honest MMIO context is an execute exit (the emulator then takes the instruction as the cause);
     * a dishonest one claims a read or write at GPA 0x2000, which most instructions do not touch.
     */
    MmioAccessContext mmio() {
        int type = !dishonestExit ? MmioAccessContext.EXECUTE : mmioRead ? MmioAccessContext.READ : MmioAccessContext.WRITE;
        return new MmioAccessContext().setInstructionBytes(insn, 0, byteCount).setGpa(0x2000).setGva(0x2000)
            .setGvaValid(true).setAccessType(type);
    }

    /** An honest port context describes the instruction's own port access; a dishonest one is as given. */
    IoPortAccessContext ioContext() {
        IoPortAccessContext c = new IoPortAccessContext().setInstructionBytes(insn, 0, byteCount)
            .setPort((int) gpr[2]).setAccessSize(1).setRax(gpr[0]).setRcx(gpr[1]).setRsi(gpr[6]).setRdi(gpr[7]);
        if (dishonestExit) {
            return c;
        }
        dev.hvex.decode.DecodedInstruction d = new dev.hvex.decode.DecodedInstruction();
        if (dev.hvex.decode.Decoder.decode(insn, 0, 16, mode, d) != dev.hvex.decode.DecodeStatus.OK) {
            return c;
        }
        boolean string = d.family == dev.hvex.gen.Families.STRING
            && (d.op == dev.hvex.gen.Families.STRING_INS || d.op == dev.hvex.gen.Families.STRING_OUTS);
        boolean write;
        int dataOperand;
        int portOperand = 0;
        if (d.family == dev.hvex.gen.Families.IO) {
            write = d.op == dev.hvex.gen.Families.IO_OUT;
            dataOperand = dev.hvex.gen.Forms.operand(d.form, write ? 1 : 0);
            portOperand = dev.hvex.gen.Forms.operand(d.form, write ? 0 : 1);
        } else if (string) {
            write = d.op == dev.hvex.gen.Families.STRING_OUTS;
            dataOperand = dev.hvex.gen.Forms.operand(d.form, write ? 1 : 0);
        } else {
            return c;
        }
        int port = string || dev.hvex.gen.OperandCodes.method(portOperand) == dev.hvex.gen.OperandCodes.M_DX
            ? (int) gpr[2] & 0xffff : (int) (d.imm & 0xff);
        return c.setWrite(write).setStringOp(string).setRepPrefix(d.repPrefix != 0).setPort(port)
            .setAccessSize(dev.hvex.interp.Engine.sizeOfOperand(d, dataOperand));
    }

    /** A byte string for a scenario, for seeds and tests: header fields, then instruction and registers. */
    static final class Builder {
        final byte[] b = new byte[HEADER + 8];

        Builder mode(CpuMode m) {
            b[0] = (byte) ((b[0] & ~7) | m.ordinal());
            return this;
        }

        Builder cpl(int cpl) {
            b[0] = (byte) ((b[0] & ~0x18) | (cpl & 3) << 3);
            return this;
        }

        Builder paging(boolean on) {
            b[0] = (byte) (on ? b[0] | 0x40 : b[0] & ~0x40);
            return this;
        }

        Builder io(boolean on) {
            b[0] = (byte) (on ? b[0] | 0x80 : b[0] & ~0x80);
            return this;
        }

        Builder flags(int v) {
            b[1] = (byte) v;
            return this;
        }

        Builder count(int n) {
            b[2] = (byte) n;
            return this;
        }

        Builder budget(int n) {
            b[3] = (byte) (n - 1);
            return this;
        }

        Builder fail(int kind, int at, boolean throwIt) {
            b[4] = (byte) (kind | (throwIt ? 8 : 0));
            b[5] = (byte) at;
            return this;
        }

        Builder pages(int policy) {
            b[6] = (byte) policy;
            return this;
        }

        Builder segments(int bits) {
            b[7] = (byte) bits;
            b[8] = (byte) (bits >> 8);
            return this;
        }

        Builder rip(int index) {
            b[9] = (byte) ((b[9] & ~7) | index);
            return this;
        }

        Builder insn(String hex) {
            byte[] h = dev.hvex.testing.Exits.hex(hex);
            System.arraycopy(h, 0, b, 10, h.length);
            if (b[2] == 0) {
                b[2] = (byte) h.length;
            }
            return this;
        }

        /** Register {@code r} = GPR_PALETTE[index] + offset (offset -8..7). */
        Builder gpr(int r, int index, int offset) {
            b[26 + r] = (byte) (index | (offset + 8) << 4);
            return this;
        }

        Builder seed(int v) {
            b[HEADER] = (byte) v;
            return this;
        }

        byte[] build() {
            return b.clone();
        }
    }

    /** Default registers: palette 0x2000 with offset 0 for every register, RCX = 2. */
    static Builder builder() {
        Builder b = new Builder();
        for (int r = 0; r < 16; r++) {
            b.gpr(r, 2, 0);
        }
        b.gpr(1, 0, 2);
        return b;
    }
}
