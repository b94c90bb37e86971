package dev.hvex.testing;

import dev.hvex.MmioAccessContext;
import dev.hvex.VpExitContext;

/** Builders for exit contexts in the usual modes. */
public final class Exits {
    private Exits() {
    }

    public static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** 64-bit mode, CPL 0, RIP 0x1000, RFLAGS 0x2. */
    public static VpExitContext long64() {
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setEferLma(true).setRip(0x1000).setRflags(0x2);
        vp.cs().set(0, 0xffffffff, 0x8, 0xa09b);
        return vp;
    }

    /** 32-bit protected mode with a flat 4 GiB code segment. */
    public static VpExitContext prot32() {
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setRip(0x1000).setRflags(0x2);
        vp.cs().set(0, 0xffffffff, 0x8, 0xc09b);
        return vp;
    }

    public static VpExitContext real16() {
        VpExitContext vp = new VpExitContext().setRip(0x100).setRflags(0x2);
        vp.cs().set(0, 0xffff, 0, 0x9b);
        return vp;
    }

    public static MmioAccessContext mmio(String insnHex, long gpa, int type) {
        byte[] b = hex(insnHex);
        return new MmioAccessContext().setInstructionBytes(b, 0, b.length).setGpa(gpa).setGva(gpa)
            .setGvaValid(true).setAccessType(type);
    }
}
