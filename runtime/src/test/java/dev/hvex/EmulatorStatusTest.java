package dev.hvex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.testing.Exits;
import dev.hvex.testing.FakeVmm;
import org.junit.jupiter.api.Test;

/**
 * Every status bit provoked by a situation that calls for it, and the exception-to-inject extension.
 * Expected exceptions and error codes follow the SDM (Vol. 3 6.15 for error codes; Vol. 2 per instruction).
 */
class EmulatorStatusTest {
    private final FakeVmm vmm = new FakeVmm();
    private final Emulator emulator = Emulator.create(vmm);

    private EmulatorStatus mmio(VpExitContext vp, String hex, long gpa) {
        return emulator.tryMmioEmulation(null, vp, Exits.mmio(hex, gpa, MmioAccessContext.WRITE));
    }

    @Test
    void successWritesTheStoreAndAdvancesRip() {
        vmm.set(Register.RDI, 0x2000).set(Register.RAX, 0x11223344);
        EmulatorStatus s = mmio(Exits.long64(), "894708", 0x2008); // mov [rdi+8], eax
        assertThat(s.emulationSuccessful()).isTrue();
        assertThat(s.bits()).isEqualTo(EmulatorStatus.EMULATION_SUCCESSFUL);
        assertThat(vmm.peek(0x2008, 4)).isEqualTo(0x11223344L);
        assertThat(vmm.get(Register.RIP)).isEqualTo(0x1003);
        assertThat(vmm.getCalls).isEqualTo(1);
        assertThat(vmm.setCalls).isEqualTo(1);
        assertThat(vmm.log).containsExactly("t 2000 2", "w 2008 4 11223344");
    }

    @Test
    void unsupportedInstructionIsAnInternalFailureThatChangesNothing() {
        EmulatorStatus s = mmio(Exits.long64(), "f727", 0x2000); // mul dword [rdi]: recognised only
        assertThat(s.internalEmulationFailure()).isTrue();
        assertThat(s.reason()).isEqualTo(EmulatorStatus.Reason.UNSUPPORTED_INSTRUCTION);
        assertThat(s.describe()).contains("MUL_Ev");
        assertThat(vmm.setCalls).isZero();
        assertThat(vmm.log).isEmpty();
    }

    @Test
    void ioPortCallbackFailure() {
        vmm.failPort = 1;
        vmm.set(Register.RDX, 0x3f8);
        byte[] out = Exits.hex("ee"); // out dx, al
        IoPortAccessContext io = new IoPortAccessContext().setInstructionBytes(out, 0, 1).setWrite(true)
            .setAccessSize(1).setPort(0x3f8);
        EmulatorStatus s = emulator.tryIoEmulation(null, Exits.long64(), io);
        assertThat(s.ioPortCallbackFailed()).isTrue();
        assertThat(vmm.setCalls).isZero();
    }

    @Test
    void memoryCallbackFailure() {
        vmm.failMemory = 1;
        EmulatorStatus s = mmio(Exits.long64(), "894708", 0x8);
        assertThat(s.memoryCallbackFailed()).isTrue();
        assertThat(vmm.setCalls).isZero();
    }

    @Test
    void translateCallbackFailure() {
        vmm.failTranslate = 1;
        assertThat(mmio(Exits.long64(), "894708", 0x8).translateGvaPageCallbackFailed()).isTrue();
        assertThat(vmm.setCalls).isZero();
    }

    @Test
    void translationToAnUnalignedGpa() {
        vmm.misalignTranslation = true;
        assertThat(mmio(Exits.long64(), "894708", 0x8).translateGvaPageCallbackGpaIsNotAligned()).isTrue();
        assertThat(vmm.log).noneMatch(l -> l.startsWith("w"));
    }

    @Test
    void getRegistersFailure() {
        vmm.failGet = 1;
        assertThat(mmio(Exits.long64(), "894708", 0x8).getVirtualProcessorRegistersCallbackFailed()).isTrue();
        assertThat(vmm.log).isEmpty();
    }

    @Test
    void setRegistersFailure() {
        vmm.failSet = 1;
        assertThat(mmio(Exits.long64(), "894708", 0x8).setVirtualProcessorRegistersCallbackFailed()).isTrue();
        assertThat(vmm.get(Register.RIP)).isZero();
    }

    @Test
    void pendingInterruptionIsAnIntercept() {
        EmulatorStatus s = mmio(Exits.long64().setInterruptionPending(true), "894708", 0x8);
        assertThat(s.interruptCausedIntercept()).isTrue();
        assertThat(s.emulationSuccessful()).isFalse();
        assertThat(vmm.getCalls).isZero();
    }

    @Test
    void pageFaultCarriesErrorCodeAndCr2() {
        vmm.set(Register.RDI, 0x7000);
        vmm.pageResult.put(0x7000L, GvaTranslation.PAGE_NOT_PRESENT);
        EmulatorStatus s = mmio(Exits.long64().setCpl(3), "894708", 0x7008);
        assertThat(s.guestCannotBeFaulted()).isTrue();
        assertThat(s.exceptionPending()).isTrue();
        assertThat(s.exceptionVector()).isEqualTo(14);
        assertThat(s.exceptionErrorCode()).isEqualTo(0b110); // not present, write, user (SDM Vol. 3 4.7)
        assertThat(s.exceptionCr2()).isEqualTo(0x7008);
        assertThat(vmm.setCalls).isZero();
    }

    @Test
    void readOnlyPageIsAProtectionFault() {
        vmm.set(Register.RDI, 0x7000);
        vmm.pageResult.put(0x7000L, GvaTranslation.PRIVILEGE_VIOLATION);
        EmulatorStatus s = mmio(Exits.long64(), "894708", 0x7008);
        assertThat(s.exceptionErrorCode()).isEqualTo(0b011); // present, write, supervisor
    }

    @Test
    void nonCanonicalAddressIsGp() {
        vmm.set(Register.RDI, 0x0000800000000000L);
        EmulatorStatus s = mmio(Exits.long64(), "894708", 0);
        assertThat(s.exceptionVector()).isEqualTo(13);
        assertThat(s.exceptionHasErrorCode()).isTrue();
        assertThat(s.exceptionErrorCode()).isZero();
    }

    @Test
    void nonCanonicalStackAddressIsSs() {
        vmm.set(Register.RSP, 0x0000800000000000L);
        EmulatorStatus s = mmio(Exits.long64(), "890424", 0); // mov [rsp], eax
        assertThat(s.exceptionVector()).isEqualTo(12);
    }

    @Test
    void lockOnMovIsUd() {
        EmulatorStatus s = mmio(Exits.long64(), "f0894708", 0);
        assertThat(s.exceptionVector()).isEqualTo(6);
        assertThat(s.exceptionHasErrorCode()).isFalse();
    }

    @Test
    void misalignedAccessWithAlignmentCheckingIsAc() {
        vmm.set(Register.RDI, 0x2001);
        VpExitContext vp = Exits.long64().setCpl(3).setCr0Am(true).setRflags(0x2 | 1 << 18);
        EmulatorStatus s = mmio(vp, "8907", 0x2001); // mov [rdi], eax at an odd address
        assertThat(s.exceptionVector()).isEqualTo(17);
        assertThat(s.exceptionErrorCode()).isZero();
    }

    @Test
    void misalignedMovdqaIsGp() {
        vmm.set(Register.RDI, 0x2008);
        EmulatorStatus s = mmio(Exits.long64(), "660f7f07", 0x2008);
        assertThat(s.exceptionVector()).isEqualTo(13);
        assertThat(vmm.log).isEmpty();
    }

    @Test
    void anInstructionThatCannotHaveCausedTheExitIsRefused() {
        vmm.set(Register.RDI, 0x2000);
        EmulatorStatus s = mmio(Exits.long64(), "894708", 0x5000); // stores to 0x2008, exit says 0x5000
        assertThat(s.internalEmulationFailure()).isTrue();
        assertThat(s.reason()).isEqualTo(EmulatorStatus.Reason.EXIT_MISMATCH);
        assertThat(vmm.log).noneMatch(l -> l.startsWith("w"));
        assertThat(vmm.setCalls).isZero();
        EmulatorStatus load = emulator.tryMmioEmulation(null, Exits.long64(),
            Exits.mmio("894708", 0x2008, MmioAccessContext.READ)); // a store cannot cause a read exit
        assertThat(load.reason()).isEqualTo(EmulatorStatus.Reason.EXIT_MISMATCH);
    }

    @Test
    void instructionLongerThan15BytesIsGp() {
        EmulatorStatus s = mmio(Exits.long64(), "66666666666666666666666666668907", 0);
        assertThat(s.exceptionVector()).isEqualTo(13);
    }
}
