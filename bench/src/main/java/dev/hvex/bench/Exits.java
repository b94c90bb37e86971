package dev.hvex.bench;

import dev.hvex.EmulatorStatus;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;

/** Builders for the exits of the benchmarks: 64-bit mode with paging, CPL 0, contexts built once. */
final class Exits {
    /** Where the guest's code is: RIP of every exit. */
    static final long RIP = 0xFFFF_FFFF_8100_0000L;
    /** What a real exit reports after the instruction: the next instructions of a driver loop. */
    private static final byte[] TAIL = hex("4883c710 ffc9 75f0 c3 90909090 90909090 90909090");

    private Exits() {
    }

    static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** The instruction followed by trailing code, 16 bytes in all, as a hypervisor reports them. */
    static byte[] exitBytes(String insnHex) {
        byte[] insn = hex(insnHex);
        byte[] b = new byte[16];
        System.arraycopy(insn, 0, b, 0, insn.length);
        System.arraycopy(TAIL, 0, b, insn.length, 16 - insn.length);
        return b;
    }

    /** 64-bit mode (EFER.LMA, CS.L), CPL 0, RFLAGS 0x2 (IOPL 0). */
    static VpExitContext long64() {
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setEferLma(true).setCpl(0).setRip(RIP).setRflags(0x2);
        vp.cs().set(0, 0xffffffff, 0x10, 0xa09b);
        return vp;
    }

    /** The VMM's register file for a 64-bit guest with paging on (CR0.PG|PE, EFER.LME|LMA). */
    static BenchVmm long64Vmm() {
        BenchVmm vmm = new BenchVmm();
        vmm.set(Register.RIP, RIP).set(Register.RFLAGS, 0x2);
        vmm.set(Register.CR0, 0x8005_0033L).set(Register.CR3, 0x1000).set(Register.CR4, 0x6a0);
        vmm.set(Register.EFER, 0xd01);
        vmm.segment(Register.CS, 0, 0xffffffff, 0x10, 0xa09b);
        for (Register r : new Register[] {Register.DS, Register.ES, Register.SS, Register.FS, Register.GS}) {
            vmm.segment(r, 0, 0xffffffff, 0x18, 0xc093);
        }
        return vmm;
    }

    static MmioAccessContext mmio(String insnHex, int accessType, long gpa, long gva) {
        byte[] b = exitBytes(insnHex);
        return new MmioAccessContext().setInstructionBytes(b, 0, 16).setAccessType(accessType)
            .setGpa(gpa).setGva(gva).setGvaValid(true);
    }

    static IoPortAccessContext io(String insnHex, boolean write, int size, int port, BenchVmm vmm) {
        byte[] b = exitBytes(insnHex);
        IoPortAccessContext c = new IoPortAccessContext().setInstructionBytes(b, 0, 16).setWrite(write)
            .setAccessSize(size).setPort(port).setRax(vmm.get(Register.RAX)).setRcx(vmm.get(Register.RCX))
            .setRsi(vmm.get(Register.RSI)).setRdi(vmm.get(Register.RDI));
        c.ds().set(0, 0xffffffff, 0x18, 0xc093);
        c.es().set(0, 0xffffffff, 0x18, 0xc093);
        return c;
    }

    /** Throws unless the emulation succeeded: a benchmark of a failing path would measure nothing useful. */
    static void check(EmulatorStatus s, String what) {
        if (!s.emulationSuccessful()) {
            throw new IllegalStateException(what + ": " + s.describe());
        }
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }
}
