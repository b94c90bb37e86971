package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;
import dev.hvex.testing.Exits;
import dev.hvex.testing.FakeVmm;
import org.junit.jupiter.api.Test;

/**
 * One test per bug the hostile-input tests found, with the exact reproduction. A bug not yet fixed is
 * {@code @Disabled("bug: ...")}; enable the test when fixing it (and clear its flag in {@link KnownBugs}).
 */
class RegressionTest {

    private static EmulatorStatus run(FakeVmm v, VpExitContext vp, MmioAccessContext m) {
        try (Emulator e = Emulator.create(v, EmulatorOptions.defaults().withSpecialize(false))) {
            EmulatorStatus st = e.tryMmioEmulation(null, vp, m);
            return st;
        }
    }

    private static VpExitContext vm86() {
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setRip(0x100).setRflags(0x2 | 1L << 17).setCpl(3);
        vp.cs().set(0x10000, 0xffff, 0x1000, 0xf3);
        return vp;
    }

    /**
     * Found by EmulatorFuzzTest (input finding-vm86-gp-no-error-code). In virtual-8086 mode a
     * segment-limit violation is #GP(0)/#SS(0) delivered through the protected-mode IDT, which pushes an
     * error code; hvex applies the real-mode rule and reports no error code, so a VMM injecting exactly
     * what hvex says gives the guest's #GP handler a stack one word short.
     *
     * <p>VM86, DS base 0 limit 0xffff, BX = 0xfffe, {@code 66 89 07} (mov [bx], eax): bytes 0xfffe-0x10001
     * exceed the limit. Expected #GP with error code 0; got #GP without an error code.
     */
    @Test
    void vm86LimitViolationHasAnErrorCode() {
        FakeVmm v = new FakeVmm().set(Register.RBX, 0xfffe).set(Register.RAX, 0x11223344);
        v.segment(Register.DS, 0, 0xffff, 0, 0xf3);
        EmulatorStatus st = run(v, vm86(), Exits.mmio("668907", 0xfffe, MmioAccessContext.WRITE));
        assertThat(st.exceptionVector()).as(st.describe()).isEqualTo(13);
        assertThat(st.exceptionHasErrorCode()).as("error code pushed in VM86").isTrue();
        assertThat(st.exceptionErrorCode()).isZero();
    }

    /**
     * Found by EmulatorFuzzTest (seed-vm86-mov, and finding-vm86-fetch-not-translated): in VM86 the
     * engine never fetched CR0, so data accesses were translated or not depending on the CR0 value the
     * previous exit of the same emulator had loaded, and instruction fetches were never translated.
     * Fixed in ff80a46.
     */
    @Test
    void vm86TranslatesWhenPagingIsOnWhateverCameBefore() {
        FakeVmm v = new FakeVmm().set(Register.RBX, 0x2000).set(Register.RAX, 0x1234).set(Register.CR0, 0x80000011L);
        v.segment(Register.DS, 0, 0xffff, 0, 0xf3);
        v.pageMap.put(0x2000L, 0x7000L);
        EmulatorStatus st = run(v, vm86(), Exits.mmio("894708", 0x7008, MmioAccessContext.WRITE));
        assertThat(st.emulationSuccessful()).as(st.describe() + " " + v.log).isTrue();
        assertThat(v.peek(0x7008, 2)).as("written through the page tables").isEqualTo(0x1234);
    }

    /**
     * An instruction that runs past the code segment's limit is #GP(0) (SDM Vol. 3 5.3); hvex checks the
     * limit only at the first byte of each 8-byte fetch chunk. PROT32, CS limit 0x1002, RIP 0x1000, no
     * bytes reported, {@code 8b 87 00 01 00 00} (mov eax, [edi+0x100]) at 0x1000-0x1005: expected #GP(0);
     * got the load executed (success).
     */
    @Test
    void instructionCrossingTheCodeSegmentLimitFaults() {
        FakeVmm v = new FakeVmm().set(Register.RDI, 0x2000);
        v.segment(Register.DS, 0, 0xffffffff, 0x10, 0xc093);
        v.poke(0x1000, Exits.hex("8b8700010000"));
        VpExitContext vp = Exits.prot32();
        vp.cs().set(0, 0x1002, 0x8, 0xc09b);
        MmioAccessContext m = new MmioAccessContext().setGpa(0x2100).setAccessType(MmioAccessContext.READ);
        EmulatorStatus st = run(v, vp, m);
        assertThat(st.exceptionVector()).as(st.describe() + " " + v.log).isEqualTo(13);
    }

    /**
     * Real mode, CS base 0x10000 limit 0xffff, IP 0xfffe, {@code 89 47 08} with its third byte past the
     * limit: the processor raises #GP (vector 13); hvex wraps IP to 0 and takes CS:0000 as the third byte.
     */
    @Test
    void realModeInstructionPastTheSegmentEndFaults() {
        FakeVmm v = new FakeVmm().set(Register.RBX, 0x10);
        v.segment(Register.DS, 0, 0xffff, 0, 0x93);
        v.poke(0x1fffe, Exits.hex("8947"));
        v.poke(0x10000, Exits.hex("08"));
        VpExitContext vp = Exits.real16().setRip(0xfffe);
        vp.cs().set(0x10000, 0xffff, 0x1000, 0x9b);
        MmioAccessContext m = new MmioAccessContext().setGpa(0x18).setAccessType(MmioAccessContext.WRITE);
        EmulatorStatus st = run(v, vp, m);
        assertThat(st.exceptionVector()).as(st.describe() + " " + v.log).isEqualTo(13);
    }

    /**
     * A REP fault in a later iteration commits the progress with a set-registers call; when that call
     * fails the status is SetVirtualProcessorRegistersCallbackFailed, yet exceptionVector() still says 14
     * and exceptionCr2() the address, although exceptionPending() is false. Expected: a failure status
     * carries no exception (vector -1), as every other failure does.
     */
    @Test
    void failedProgressCommitLeavesNoExceptionBehind() {
        FakeVmm v = new FakeVmm().set(Register.RCX, 4).set(Register.RSI, 0x5000).set(Register.RDI, 0x2ff8);
        for (Register s : new Register[] {Register.ES, Register.DS}) {
            v.segment(s, 0, 0xffffffff, 0x10, 0xc093);
        }
        v.pageResult.put(0x3000L, GvaTranslation.PAGE_NOT_PRESENT);
        v.failSet = 1;
        EmulatorStatus st = run(v, Exits.long64(), Exits.mmio("f3a5", 0x2ff8, MmioAccessContext.WRITE));
        assertThat(st.bits()).isEqualTo(EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED);
        assertThat(st.exceptionVector()).as(st.describe()).isEqualTo(-1);
        assertThat(st.exceptionCr2()).isZero();
    }

    /**
     * A REP string instruction with a zero count accesses nothing and cannot fault, whatever its operands
     * say: it completes with only RIP moved. 64-bit, {@code f3 a4}, RCX = 0, RDI non-canonical, MMIO write
     * exit at GPA 0x2000. (Exit verification once evaluated the operands and injected #GP.) The KVM oracle
     * agrees: case LODS_rAX_Xv/prot16/0012 completes a zero-count REP LODS behind an MMIO exit.
     */
    @Test
    void zeroCountRepTouchesNothingAndCompletes() {
        FakeVmm v = new FakeVmm().set(Register.RCX, 0).set(Register.RDI, 0x8000000000000000L).set(Register.RSI, 0x1000);
        EmulatorStatus st = run(v, Exits.long64(), Exits.mmio("f3a4", 0x2000, MmioAccessContext.WRITE));
        assertThat(st.emulationSuccessful()).as(st.describe()).isTrue();
        assertThat(v.get(Register.RIP)).isEqualTo(0x1002);
        assertThat(v.log).noneMatch(l -> l.startsWith("r ") || l.startsWith("w "));
    }
}
