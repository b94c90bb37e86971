package dev.hvex.example;

import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;

// README-EXAMPLE-START
/** A toy VMM: 1 MiB of guest RAM, one device register at GPA 0xfee00000, identity paging. */
public final class MiniVmm implements EmulatorCallbacks {
    final byte[] ram = new byte[1 << 20];
    final long[] regs = new long[Register.count()];
    int deviceRegister;

    @Override
    public boolean memory(Object vcpu, MemoryAccess a) {
        if (a.gpa() == 0xfee00000L && a.size() == 4) {          // the device
            if (a.isWrite()) {
                deviceRegister = (int) a.data();
            } else {
                a.setData(deviceRegister & 0xffffffffL);
            }
            return true;
        }
        if (a.gpa() < 0 || a.gpa() + a.size() > ram.length) {
            return false;                                          // nothing there: the emulation fails
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.isWrite()) {
                ram[(int) a.gpa() + i] = (byte) a.dataByte(i);
            } else {
                a.setDataByte(i, ram[(int) a.gpa() + i]);
            }
        }
        return true;
    }

    @Override
    public boolean getRegisters(Object vcpu, RegisterValues batch) {
        for (int i = 0; i < batch.count(); i++) {
            batch.set(i, regs[batch.name(i).ordinal()], 0);
        }
        return true;
    }

    @Override
    public boolean setRegisters(Object vcpu, RegisterValues batch) {
        for (int i = 0; i < batch.count(); i++) {
            regs[batch.name(i).ordinal()] = batch.low(i);
        }
        return true;
    }

    @Override
    public boolean translateGvaPage(Object vcpu, long gvaPage, int flags, GvaTranslation result) {
        result.set(GvaTranslation.SUCCESS, gvaPage);              // identity-mapped guest
        return true;
    }

    @Override
    public boolean ioPort(Object vcpu, IoPortAccess access) {
        return false;                                              // no ports in this toy
    }

    /** Handles one MMIO exit: the guest ran `mov [rdi+8], eax` with RDI = 0xfedffff8. */
    public static void main(String[] args) {
        MiniVmm vmm = new MiniVmm();
        vmm.regs[Register.RDI.ordinal()] = 0xfedffff8L;
        vmm.regs[Register.RAX.ordinal()] = 0x1234;
        try (Emulator emulator = Emulator.create(vmm)) {
            VpExitContext exit = new VpExitContext()                 // what the hypervisor reported
                .setCr0Pe(true).setEferLma(true).setRip(0x401000).setRflags(0x2);
            exit.cs().set(0, 0xffffffff, 0x10, 0xa09b);              // 64-bit code segment
            byte[] insn = {(byte) 0x89, 0x47, 0x08};
            MmioAccessContext mmio = new MmioAccessContext()
                .setInstructionBytes(insn, 0, insn.length)
                .setAccessType(MmioAccessContext.WRITE).setGpa(0xfee00000L).setGva(0xfee00000L).setGvaValid(true);
            EmulatorStatus status = emulator.tryMmioEmulation(null, exit, mmio);
            if (status.exceptionPending()) {
                System.out.println("inject " + EmulatorStatus.vectorName(status.exceptionVector()));
            } else {
                System.out.println(status.describe() + ": device register = 0x"
                    + Integer.toHexString(vmm.deviceRegister) + ", RIP = 0x"
                    + Long.toHexString(vmm.regs[Register.RIP.ordinal()]));
            }
        }
    }
}
// README-EXAMPLE-END
