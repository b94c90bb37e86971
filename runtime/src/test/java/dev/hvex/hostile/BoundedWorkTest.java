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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A guest cannot make one emulation do unbounded work (REP with RCX = 2^64-1 stops at the budget,
 * RIP unchanged, progress written), and faults land on the right address without partial effects:
 * a fetch running into a non-present page is #PF with CR2 at that page, and an access split over two
 * pages whose second page faults touches no device at all.
 */
class BoundedWorkTest {
    private static final long ALL_ONES = -1L;

    static FakeVmm vmm() {
        FakeVmm v = new FakeVmm();
        for (Register s : new Register[] {Register.ES, Register.SS, Register.DS, Register.FS, Register.GS}) {
            v.segment(s, 0, 0xffffffff, 0x10, 0xc093);
        }
        return v;
    }

    static EmulatorStatus mmio(Emulator e, Recorder r, VpExitContext vp, String hex, long gpa, int type) {
        return e.tryMmioEmulation(null, vp, Exits.mmio(hex, gpa, type));
    }

    @ParameterizedTest(name = "{0} {1} DF={2}")
    @CsvSource({
        "long64, f348a5, 0, 8",     // rep movsq, RCX = 2^64-1
        "long64, f348a5, 1, 8",     // DF=1 from 0: rSI/rDI wrap to the top of the address space
        "long64, f3ab, 1, 4",       // rep stosd
        "long64, f36748ab, 1, 8",   // 32-bit addressing: ECX counts, ESI/EDI wrap at 4 GiB
        "real16, f3a5, 1, 2",       // 16-bit: SI/DI wrap at 64 KiB, the upper bits stay
        "long64, f3a6, 0, 1",       // repe cmpsb over equal bytes
    })
    void repWithHugeCountStopsAtTheBudget(String mode, String hex, int df, int size) {
        long budget = 100;
        FakeVmm v = vmm();
        v.set(Register.RCX, ALL_ONES).set(Register.RSI, 0x2aaa0000_0000L).set(Register.RDI, 0).set(Register.RAX, 0);
        if (mode.equals("real16")) {
            v.set(Register.RSI, 0x7777_0000_0000_0000L).set(Register.RDI, 0x1234_5678_0000_0000L);
        }
        Recorder r = new Recorder(v);
        VpExitContext vp = (mode.equals("real16") ? Exits.real16() : Exits.long64()).setRflags(0x2 | (long) df << 10);
        long rip = vp.rip();
        long t0 = System.nanoTime();
        EmulatorStatus st;
        try (Emulator e = Emulator.create(r, EmulatorOptions.defaults().withRepBudget(budget).withSpecialize(false))) {
            st = e.tryMmioEmulation(null, vp, Exits.mmio(hex, 0, MmioAccessContext.WRITE).setAccessType(MmioAccessContext.EXECUTE));
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(st.bits()).as(st.describe()).isEqualTo(EmulatorStatus.EMULATION_SUCCESSFUL);
        assertThat(millis).isLessThan(5_000);
        int calls = r.log.size();
        assertThat(calls).as("callbacks for %d iterations", budget).isLessThanOrEqualTo((int) (6 * budget + 8));
        assertThat(r.successfulSets).isEqualTo(1);
        assertThat(v.get(Register.RIP)).as("RIP unchanged: the guest re-executes the rest").isEqualTo(rip);
        long am = hex.contains("67") ? 0xffffffffL : mode.equals("real16") ? 0xffff : ALL_ONES;
        long delta = (df == 1 ? -size : size) * budget;
        long expectedRcx = am == 0xffffffffL ? (ALL_ONES - budget) & am // a 32-bit write zero-extends
            : (ALL_ONES & ~am) | ((ALL_ONES - budget) & am);
        assertThat(v.get(Register.RCX)).as("RCX").isEqualTo(expectedRcx);
        if (!hex.endsWith("ab")) {
            long rsi0 = mode.equals("real16") ? 0x7777_0000_0000_0000L : 0x2aaa0000_0000L;
            long want = (rsi0 & ~am) | ((rsi0 + delta) & am);
            if (am == 0xffffffffL) {
                want = (rsi0 + delta) & am; // a 32-bit write zero-extends
            }
            assertThat(v.get(Register.RSI)).as("RSI").isEqualTo(want);
        }
        long rdi0 = mode.equals("real16") ? 0x1234_5678_0000_0000L : 0;
        long wantDi = am == 0xffffffffL ? (rdi0 + delta) & am : (rdi0 & ~am) | ((rdi0 + delta) & am);
        assertThat(v.get(Register.RDI)).as("RDI").isEqualTo(wantDi);
    }

    @Test
    void repeatedExitsFinishALongRep() {
        FakeVmm v = vmm();
        v.set(Register.RCX, 5000).set(Register.RSI, 0x10000).set(Register.RDI, 0x40000);
        VpExitContext vp = Exits.long64().setRflags(0x2);
        int exits = 0;
        try (Emulator e = Emulator.create(v, EmulatorOptions.defaults().withRepBudget(1024).withSpecialize(false))) {
            while (v.get(Register.RIP) != 0x1002) {
                vp.setRip(0x1000);
                EmulatorStatus st = e.tryMmioEmulation(null, vp,
                    Exits.mmio("f3a4", 0x40000 + (5000 - v.get(Register.RCX)), MmioAccessContext.WRITE));
                assertThat(st.emulationSuccessful()).as(st.describe()).isTrue();
                exits++;
                assertThat(exits).isLessThanOrEqualTo(5);
            }
        }
        assertThat(exits).isEqualTo(5);
        assertThat(v.get(Register.RCX)).isZero();
        assertThat(v.get(Register.RDI)).isEqualTo(0x40000 + 5000);
    }

    @ParameterizedTest(name = "{0} RIP {1} reported {2}")
    @CsvSource({
        "long64, 1ffe, 894708, 2, 2000, 10",  // bytes 3.. are on the absent page
        "long64, 1ffe, 894708, 0, 2000, 10",  // nothing reported: the first fetch stops at the page end
        "long64, 1fff, 48894708, 1, 2000, 10",
        "prot32, 1ffe, 894708, 2, 2000, 10",  // CR0.PG=1
        "long64, 1ffe, 894708, 2, 2000, 14",  // CPL 3: the U/S bit
    })
    void fetchIntoAnAbsentPageIsAPageFaultAtThatPage(String mode, String ripHex, String hex, int reported,
                                                     String cr2Hex, String errorHex) {
        long rip = Long.parseLong(ripHex, 16);
        FakeVmm v = vmm();
        v.set(Register.CR0, 0x80000011L);
        byte[] insn = Exits.hex(hex);
        v.poke(rip, insn);
        v.pageResult.put(0x2000L, GvaTranslation.PAGE_NOT_PRESENT);
        Recorder r = new Recorder(v);
        int cpl = errorHex.equals("14") ? 3 : 0;
        VpExitContext vp = (mode.equals("prot32") ? Exits.prot32() : Exits.long64()).setRip(rip).setCpl(cpl);
        MmioAccessContext m = new MmioAccessContext().setInstructionBytes(insn, 0, reported).setGpa(0x5000)
            .setAccessType(MmioAccessContext.WRITE);
        EmulatorStatus st;
        try (Emulator e = Emulator.create(r, EmulatorOptions.defaults().withSpecialize(false))) {
            st = e.tryMmioEmulation(null, vp, m);
        }
        assertThat(st.exceptionPending()).as(st.describe() + " " + r.log).isTrue();
        assertThat(st.exceptionVector()).isEqualTo(14);
        assertThat(st.exceptionCr2()).isEqualTo(Long.parseLong(cr2Hex, 16));
        assertThat(st.exceptionErrorCode()).as("error code").isEqualTo(Integer.parseInt(errorHex, 16));
        assertThat(r.successfulSets).isZero();
        assertThat(r.log).noneMatch(s -> s.startsWith("w "));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "48894700, 2ffc, w",        // mov [rdi], rax: 4 + 4 bytes
        "894700, 2ffe, w",          // mov [rdi], eax
        "66894700, 2fff, w",        // mov [rdi], ax
        "0f1107, 2ff8, w",          // movups [rdi], xmm0: 8 + 8
        "c5fc1107, 2ff0, w",        // vmovups [rdi], ymm0: 16 + 16
        "0107, 2ffe, rmw",          // add [rdi], eax: the read must not happen either
        "0fc107, 2ffe, rmw",        // xadd
        "480fc70f, 2ff0, rmw",      // cmpxchg16b: aligned, but the second half... (same page: no fault)
        "a5, 2ffe, w",              // movsd: source fine, destination split
    })
    void splitAccessWhoseSecondPageFaultsTouchesNoDevice(String hex, String rdiHex, String kind) {
        long rdi = Long.parseLong(rdiHex, 16);
        FakeVmm v = vmm();
        v.set(Register.RDI, rdi).set(Register.RSI, 0x5000).set(Register.RAX, 0x1122334455667788L);
        v.pageResult.put(0x3000L, GvaTranslation.PAGE_NOT_PRESENT);
        Recorder r = new Recorder(v);
        EmulatorStatus st;
        try (Emulator e = Emulator.create(r, EmulatorOptions.defaults().withSpecialize(false))) {
            st = e.tryMmioEmulation(null, Exits.long64(), Exits.mmio(hex, rdi, MmioAccessContext.WRITE));
        }
        if (hex.equals("480fc70f")) {
            // 16 bytes at 0x2ff0 end at 0x2fff: no split, so no fault; the control case.
            assertThat(st.emulationSuccessful()).as(st.describe()).isTrue();
            return;
        }
        assertThat(st.exceptionPending()).as(st.describe() + " " + r.log).isTrue();
        assertThat(st.exceptionVector()).isEqualTo(14);
        assertThat(st.exceptionCr2()).isEqualTo(0x3000);
        assertThat(st.exceptionErrorCode() & 2).as("W/R bit").isEqualTo(2);
        assertThat(r.log).as("device accesses to the destination").noneMatch(s -> s.startsWith("w ")
            || s.startsWith("r 2"));
        assertThat(v.memory).isEmpty();
        assertThat(r.successfulSets).isZero();
    }

    @Test
    void repFaultInALaterIterationWritesOnlyTheProgress() {
        FakeVmm v = vmm();
        // rep movsd, 4 elements: the 3rd destination is on the absent page 0x3000.
        v.set(Register.RCX, 4).set(Register.RSI, 0x5000).set(Register.RDI, 0x2ff8).set(Register.RAX, 77);
        v.pageResult.put(0x3000L, GvaTranslation.PAGE_NOT_PRESENT);
        Recorder r = new Recorder(v);
        EmulatorStatus st;
        try (Emulator e = Emulator.create(r, EmulatorOptions.defaults().withSpecialize(false))) {
            st = e.tryMmioEmulation(null, Exits.long64(), Exits.mmio("f3a5", 0x2ff8, MmioAccessContext.WRITE));
        }
        assertThat(st.exceptionVector()).as(st.describe()).isEqualTo(14);
        assertThat(st.exceptionCr2()).isEqualTo(0x3000);
        assertThat(r.sets).hasSize(1);
        assertThat(r.sets.get(0)).containsExactlyInAnyOrder(Register.RCX, Register.RSI, Register.RDI);
        assertThat(v.get(Register.RCX)).isEqualTo(2);
        assertThat(v.get(Register.RSI)).isEqualTo(0x5008);
        assertThat(v.get(Register.RDI)).isEqualTo(0x3000);
        assertThat(v.get(Register.RIP)).as("RIP not set").isZero();
        assertThat(r.log.stream().filter(s -> s.startsWith("w ")).count()).isEqualTo(2);
        assertThat(r.log).noneMatch(s -> s.startsWith("w 3"));
    }
}
