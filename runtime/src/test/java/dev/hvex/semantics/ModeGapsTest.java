package dev.hvex.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorStatus;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;
import dev.hvex.testing.Exits;
import dev.hvex.testing.FakeVmm;
import org.junit.jupiter.api.Test;

/**
 * The family x mode pairs no oracle covers: KVM's emulator cannot run MOVBE or VEX moves, and the
 * processor oracle runs only the long modes, so MOVBE and the AVX moves in real16, prot16 and prot32
 * are checked here against values worked out from the SDM (MOVBE: "the bytes of the source are
 * reversed"; VMOVDQU: 16/32 bytes moved, a VEX.128 load zeroes bits 255:128; VEX in real mode: #UD).
 */
class ModeGapsTest {
    private final FakeVmm vmm = new FakeVmm();
    private final Emulator emulator = Emulator.create(vmm);

    private static VpExitContext prot16() {
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setRip(0x100).setRflags(0x2);
        vp.cs().set(0, 0xffff, 0x8, 0x9b);
        return vp;
    }

    private EmulatorStatus run(VpExitContext vp, String hex, long gpa, int type) {
        vmm.segment(Register.DS, 0, 0xffff, 0x10, 0x93);
        vmm.set(Register.CR0, 0x11);
        return emulator.tryMmioEmulation(null, vp, Exits.mmio(hex, gpa, type));
    }

    @Test
    void movbeLoadInRealMode() {
        vmm.set(Register.RBX, 0x2000).set(Register.RAX, 0xffff_0000_aaaa_bbbbL).poke(0x2000, (byte) 0x12, (byte) 0x34);
        EmulatorStatus s = run(Exits.real16(), "0f38f007", 0x2000, MmioAccessContext.READ); // movbe ax, [bx]
        assertThat(s.emulationSuccessful()).as(s.describe()).isTrue();
        assertThat(vmm.get(Register.RAX)).isEqualTo(0xffff_0000_aaaa_1234L); // 16-bit write merges
        assertThat(vmm.log).containsExactly("r 2000 2");
    }

    @Test
    void movbeStoreInProt32() {
        vmm.set(Register.RDI, 0x3000).set(Register.RAX, 0x11223344);
        EmulatorStatus s = run(Exits.prot32(), "0f38f107", 0x3000, MmioAccessContext.WRITE); // movbe [edi], eax
        assertThat(s.emulationSuccessful()).as(s.describe()).isTrue();
        assertThat(vmm.peek(0x3000, 4)).isEqualTo(0x44332211L); // bytes 11 22 33 44 in memory order
        assertThat(vmm.get(Register.RIP)).isEqualTo(0x1004);
    }

    @Test
    void movbe32BitLoadInProt16WithOperandSizePrefix() {
        vmm.set(Register.RBX, 0x2000).set(Register.RAX, 0xdead_beef_0000_0000L);
        vmm.poke(0x2000, (byte) 0x01, (byte) 0x02, (byte) 0x03, (byte) 0x04);
        EmulatorStatus s = run(prot16(), "660f38f007", 0x2000, MmioAccessContext.READ); // movbe eax, [bx]
        assertThat(s.emulationSuccessful()).as(s.describe()).isTrue();
        assertThat(vmm.get(Register.RAX)).isEqualTo(0x01020304L); // a 32-bit write zero-extends
    }

    @Test
    void vexLoadInProt32ZeroesTheUpperHalf() {
        vmm.set(Register.RDI, 0x2000);
        vmm.set(Register.YMM0_HIGH, 0x5555);
        vmm.poke(0x2000, Exits.hex("00112233445566778899aabbccddeeff"));
        EmulatorStatus s = run(Exits.prot32(), "c5fa6f07", 0x2000, MmioAccessContext.READ); // vmovdqu xmm0, [edi]
        assertThat(s.emulationSuccessful()).as(s.describe()).isTrue();
        assertThat(vmm.get(Register.XMM0)).isEqualTo(0x7766554433221100L);
        assertThat(vmm.hi[Register.XMM0.ordinal()]).isEqualTo(0xffeeddccbbaa9988L);
        assertThat(vmm.get(Register.YMM0_HIGH)).isZero();
        assertThat(vmm.log).containsExactly("r 2000 8", "r 2008 8");
    }

    @Test
    void vex256StoreInProt16WritesAllFourQuadwords() {
        vmm.set(Register.RBX, 0x2000);
        vmm.lo[Register.XMM1.ordinal()] = 1;
        vmm.hi[Register.XMM1.ordinal()] = 2;
        vmm.lo[Register.YMM1_HIGH.ordinal()] = 3;
        vmm.hi[Register.YMM1_HIGH.ordinal()] = 4;
        EmulatorStatus s = run(prot16(), "c5fe7f0f", 0x2000, MmioAccessContext.WRITE); // vmovdqu [bx], ymm1
        assertThat(s.emulationSuccessful()).as(s.describe()).isTrue();
        assertThat(vmm.log).containsExactly("w 2000 8 1", "w 2008 8 2", "w 2010 8 3", "w 2018 8 4");
    }

    @Test
    void vexInRealModeIsUndefined() {
        vmm.set(Register.RBX, 0x2000);
        EmulatorStatus s = run(Exits.real16(), "c5fa6f07", 0x2000, MmioAccessContext.READ);
        assertThat(s.exceptionVector()).isEqualTo(6);
        assertThat(s.exceptionHasErrorCode()).isFalse();
        assertThat(vmm.log).isEmpty();
    }
}
