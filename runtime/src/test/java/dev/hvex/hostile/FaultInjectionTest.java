package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Families;
import dev.hvex.jit.HandlerCache;
import dev.hvex.testing.Exits;
import dev.hvex.testing.FakeVmm;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For a representative instruction of every family, each callback kind fails at each of its calls in
 * turn (by returning false, and by throwing): the status names that callback, no register was set, and
 * nothing at all was called after the failing callback (so no device saw a write after it). Run on the
 * interpreter, on the specialized tier's first run (the handler through the general path) and on a
 * cached run (the hot route, with the fast path where the handler has one).
 */
class FaultInjectionTest {

    /** family, mode, bytes, MMIO access type ('r'/'w') or port exit ('i' in, 'o' out), GPA or port. */
    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        add(a, Families.MOV, "long64", "894708", 'w', 0x2008);
        add(a, Families.MOV, "prot32", "8b4708", 'r', 0x2008);
        add(a, Families.MOVX, "long64", "0fb607", 'r', 0x2000);
        add(a, Families.ALU, "long64", "0107", 'w', 0x2000);
        add(a, Families.ALU, "real16", "8305ff", 'w', 0x2000);
        add(a, Families.TEST, "long64", "8507", 'r', 0x2000);
        add(a, Families.INCDEC, "long64", "ff07", 'w', 0x2000);
        add(a, Families.NOTNEG, "long64", "f71f", 'w', 0x2000);
        add(a, Families.XCHG, "long64", "8707", 'w', 0x2000);
        add(a, Families.CMPXCHG, "long64", "0fb10f", 'w', 0x2000);
        add(a, Families.CX8, "long64", "0fc70f", 'w', 0x2000);
        add(a, Families.CX8, "long64", "480fc70f", 'w', 0x2000);
        add(a, Families.XADD, "long64", "0fc107", 'w', 0x2000);
        add(a, Families.BT, "long64", "0fab07", 'w', 0x2000);
        add(a, Families.BT, "long64", "0fba2f05", 'w', 0x2000);
        add(a, Families.SHIFT, "long64", "d327", 'w', 0x2000);
        add(a, Families.SETCC, "long64", "0f9407", 'w', 0x2000);
        add(a, Families.CMOVCC, "long64", "0f4407", 'r', 0x2000);
        add(a, Families.MOVBE, "long64", "0f38f007", 'r', 0x2000);
        add(a, Families.MOVBE, "long64", "0f38f107", 'w', 0x2000);
        add(a, Families.MOVNTI, "long64", "0fc307", 'w', 0x2000);
        add(a, Families.PUSHPOP, "long64", "ff37", 'r', 0x2000);
        add(a, Families.PUSHPOP, "long64", "8f07", 'w', 0x2000);
        add(a, Families.STRING, "long64", "a5", 'w', 0x2000);
        add(a, Families.STRING, "long64", "f3a5", 'w', 0x2000);
        add(a, Families.STRING, "long64", "f3ab", 'w', 0x2000);
        add(a, Families.STRING, "long64", "f3a7", 'r', 0x3000);
        add(a, Families.STRING, "long64", "f3ad", 'r', 0x3000);
        add(a, Families.STRING, "long64", "f36d", 'i', 0x60);
        add(a, Families.STRING, "long64", "f36e", 'o', 0x60);
        add(a, Families.IO, "long64", "e460", 'i', 0x60);
        add(a, Families.IO, "long64", "ef", 'o', 0x60);
        add(a, Families.SSE, "long64", "0f1107", 'w', 0x2000);
        add(a, Families.SSE, "long64", "0f1007", 'r', 0x2000);
        add(a, Families.SSE, "long64", "660f7e07", 'w', 0x2000);
        add(a, Families.AVX, "long64", "c5f81107", 'w', 0x2000);
        add(a, Families.AVX, "long64", "c5fc1107", 'w', 0x2000);
        add(a, Families.AVX, "long64", "c5fc1007", 'r', 0x2000);
        add(a, Families.CLFLUSH, "long64", "0fae3f", 'r', 0x2000);
        return a.stream();
    }

    private static void add(List<Arguments> a, int family, String mode, String hex, char type, long where) {
        for (String tier : new String[] {INTERPRETED, SPECIALIZED, CACHED}) {
            a.add(Arguments.of(Families.name(family), family, mode, hex, type, where, tier));
        }
    }

    static final String INTERPRETED = "interpreted";
    static final String SPECIALIZED = "specialized";
    static final String CACHED = "cached";

    @ParameterizedTest(name = "{0} {2} {3} {6}")
    @MethodSource("cases")
    void everyCallbackFailsInTurn(String name, int family, String mode, String hex, char type, long where,
                                  String tier) {
        DecodedInstruction d = new DecodedInstruction();
        byte[] bytes = Exits.hex(hex);
        assertThat(Decoder.decode(bytes, 0, bytes.length, context(mode).mode(), d)).isEqualTo(DecodeStatus.OK);
        assertThat(d.family).as("family of " + hex).isEqualTo(family);

        Recorder baseline = new Recorder(vmm());
        EmulatorStatus ok = run(baseline, mode, hex, type, where, tier);
        assertThat(ok.bits()).as(ok.describe() + " " + baseline.log).isEqualTo(EmulatorStatus.EMULATION_SUCCESSFUL);
        assertThat(baseline.successfulSets).isEqualTo(1);

        int injected = 0;
        for (Recorder.Kind kind : Recorder.Kind.values()) {
            for (int at = 1; at <= baseline.count(kind); at++) {
                for (boolean throwing : new boolean[] {false, true}) {
                    Recorder r = new Recorder(vmm()).failing(kind, at, throwing);
                    EmulatorStatus st = run(r, mode, hex, type, where, tier);
                    String what = kind + " #" + at + (throwing ? " (throws)" : "") + ": " + st.describe() + " " + r.log;
                    assertThat(r.failedAt).as(what).isGreaterThanOrEqualTo(0);
                    assertThat(st.bits()).as(what).isEqualTo(bit(kind));
                    assertThat(st.reason()).as(what).isEqualTo(EmulatorStatus.Reason.CALLBACK_FAILED);
                    assertThat(st.exceptionVector()).as(what).isEqualTo(-1);
                    assertThat(r.successfulSets).as("registers set despite the failure: " + what).isZero();
                    assertThat(r.log.size()).as("calls after the failed one: " + what).isEqualTo(r.failedAt + 1);
                    // Up to the failure, the same calls as the successful run.
                    assertThat(r.log.subList(0, r.failedAt)).as(what).isEqualTo(baseline.log.subList(0, r.failedAt));
                    injected++;
                }
            }
        }
        assertThat(injected).isPositive();
    }

    static int bit(Recorder.Kind kind) {
        switch (kind) {
            case GET: return EmulatorStatus.GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED;
            case SET: return EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED;
            case MEMORY: return EmulatorStatus.MEMORY_CALLBACK_FAILED;
            case TRANSLATE: return EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_FAILED;
            default: return EmulatorStatus.IO_PORT_CALLBACK_FAILED;
        }
    }

    static EmulatorStatus run(Recorder r, String mode, String hex, char type, long where, String tier) {
        EmulatorOptions o = EmulatorOptions.defaults().withRepBudget(64);
        o = tier.equals(INTERPRETED) ? o.withSpecialize(false)
            : o.withCache(new HandlerCache(16)).withSpecializeThreshold(0);
        // The callbacks follow each exit's context, so one emulator can serve a warm-up VMM and then r.
        try (Emulator e = Emulator.create(ByContext.INSTANCE, o)) {
            if (tier.equals(CACHED)) {
                // The warm-up specializes the instruction and lays out the register batches; the exit
                // under test then takes the hot route, and the fast path where the handler has one.
                exit(e, new Recorder(vmm()), mode, hex, type, where);
            }
            EmulatorStatus status = exit(e, r, mode, hex, type, where);
            assertThat(e.stats().cachedRuns).as("cached runs").isEqualTo(tier.equals(CACHED) ? 1 : 0);
            return status;
        }
    }

    private static EmulatorStatus exit(Emulator e, Recorder context, String mode, String hex, char type,
                                       long where) {
        VpExitContext vp = context(mode);
        if (type == 'i' || type == 'o') {
            byte[] b = Exits.hex(hex);
            DecodedInstruction d = new DecodedInstruction();
            Decoder.decode(b, 0, b.length, vp.mode(), d);
            boolean string = d.family == Families.STRING;
            int size = string || d.opcode == 0xef || d.opcode == 0xed ? (d.opcode & 1) == 0 ? 1 : 4 : 1;
            IoPortAccessContext io = new IoPortAccessContext().setInstructionBytes(b, 0, b.length)
                .setWrite(type == 'o').setPort((int) where).setAccessSize(size).setStringOp(string)
                .setRepPrefix(d.repPrefix != 0).setRax(0x11223344).setRcx(3).setRsi(0x3000).setRdi(0x2000);
            return e.tryIoEmulation(context, vp, io);
        }
        MmioAccessContext m = Exits.mmio(hex, where, type == 'w' ? MmioAccessContext.WRITE : MmioAccessContext.READ);
        return e.tryMmioEmulation(context, vp, m);
    }

    static VpExitContext context(String mode) {
        switch (mode) {
            case "prot32": return Exits.prot32().setRflags(0x3002);
            case "real16": return Exits.real16().setRflags(0x3002);
            default: return Exits.long64().setRflags(0x3002);
        }
    }

    static FakeVmm vmm() {
        FakeVmm v = new FakeVmm();
        v.set(Register.RAX, 0x11223344).set(Register.RCX, 3).set(Register.RDX, 0x60).set(Register.RBX, 0x55)
            .set(Register.RSI, 0x3000).set(Register.RDI, 0x2000).set(Register.RSP, 0x2000)
            .set(Register.RFLAGS, 0x3002);
        for (Register s : new Register[] {Register.ES, Register.SS, Register.DS, Register.FS, Register.GS}) {
            v.segment(s, 0, 0xffffffff, 0x10, 0xc093);
        }
        v.poke(0x2000, Exits.hex("f0debc9a78563412ffffffff00000080"));
        v.poke(0x3000, Exits.hex("0102030405060708"));
        return v;
    }
}
