package dev.hvex.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hvex.EmulatorStatus;
import dev.hvex.EmulatorStatus.Reason;
import dev.hvex.MemoryAccess;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison of a run with `expect`, with the emulator's part played by hand. */
class VerifierTest {
    private static final Outcome OK = new Outcome(EmulatorStatus.EMULATION_SUCCESSFUL, Reason.NONE, -1, false, 0, 0, "success", null);

    private static Outcome fault(int vector, Integer error, long cr2) {
        return new Outcome(EmulatorStatus.EXCEPTION_PENDING, Reason.NONE, vector, error != null, error == null ? 0 : error, cr2,
                "exception " + EmulatorStatus.vectorName(vector), null);
    }

    private static void set(CaseMachine m, Register r, long value) {
        RegisterValues b = new RegisterValues(1);
        b.add(r, value, 0);
        m.setRegisters(b);
    }

    /** What a correct emulation of PROT32's "mov eax,[0x1000]" does through the callbacks. */
    private static CaseMachine emulated(String json) {
        CaseMachine m = new CaseMachine(Cases.parse(json));
        m.memory(0x1000, false, 4, 0, new MemoryAccess());
        set(m, Register.RAX, 0x11223344);
        set(m, Register.RIP, 0x105);
        return m;
    }

    private static List<String> diff(CaseMachine m, Outcome o) {
        return Verifier.compare(m, o).stream().map(Difference::toString).toList();
    }

    @Test
    void aCorrectRunHasNoDifferences() {
        assertEquals(List.of(), diff(emulated(Cases.PROT32), OK));
    }

    @Test
    void statusMismatch() {
        Outcome unsupported = new Outcome(EmulatorStatus.INTERNAL_EMULATION_FAILURE, Reason.UNSUPPORTED_INSTRUCTION, -1, false, 0, 0,
                "failed InternalEmulationFailure: unsupported instruction", null);
        assertEquals(List.of("status: expected ok, got failed InternalEmulationFailure: unsupported instruction"),
                diff(emulated(Cases.PROT32), unsupported));
        RuntimeException boom = new IllegalStateException("boom");
        assertEquals("status", Verifier.compare(emulated(Cases.PROT32), Outcome.crashed(boom)).get(0).field());
    }

    @Test
    void registerDifferencesSayWhatChanged() {
        CaseMachine m = emulated(Cases.PROT32);
        set(m, Register.RBX, 5);
        set(m, Register.RIP, 0x100);
        assertEquals(List.of("rbx: expected 0x0 (unchanged), got 0x5", "rip: expected 0x105, got 0x100 (unchanged)"), diff(m, OK));
    }

    @Test
    void flagsAreComparedUnderTheMask() {
        CaseMachine m = emulated(Cases.PROT32);
        set(m, Register.RFLAGS, 0x2 | 0x10 | 0x800);   // AF is outside 0x8d5? no: 0x10 is AF, inside; 0x800 OF inside
        assertEquals(List.of("rflags: expected 0x2 (under mask 0x8d5) (unchanged), got 0x812"), diff(m, OK));
        set(m, Register.RFLAGS, 0x2 | 0x20 | 0x400);   // bits 5 and 10: outside the mask
        assertEquals(List.of(), diff(m, OK));
        CaseMachine all = emulated(Cases.PROT32.replace(",\"flagsMask\":\"0x8d5\"", ""));
        set(all, Register.RFLAGS, 0x402);
        assertEquals(List.of("rflags: expected 0x2 (unchanged), got 0x402"), diff(all, OK));
    }

    @Test
    void memoryDifferencesAreRunsOfBytes() {
        CaseMachine m = emulated(Cases.PROT32);
        m.memory(0x1004, true, 2, 0xaaaa, null);
        assertEquals(List.of("mem[0x1004..0x1005]: expected 5566, got aaaa",
                "accesses[1]: expected (none), got mmio w 0x1004 2 0xaaaa"), diff(m, OK));
        String withMem = Cases.PROT32.replace("\"mem\":[],", "\"mem\":[{\"gpa\":\"0x1006\",\"hex\":\"0102\"}],");
        CaseMachine n = emulated(withMem);
        assertEquals(List.of("mem[0x1006..0x1007]: expected 0102, got 7788 (unchanged)"), diff(n, OK));
    }

    @Test
    void accessDifferencesAreByPosition() {
        CaseMachine m = new CaseMachine(Cases.parse(Cases.PROT32));
        m.memory(0x1000, false, 2, 0, new MemoryAccess());
        m.memory(0x1002, false, 2, 0, new MemoryAccess());
        set(m, Register.RAX, 0x11223344);
        set(m, Register.RIP, 0x105);
        assertEquals(List.of("accesses[0]: expected mmio r 0x1000 4 0x11223344, got mmio r 0x1000 2 0x3344",
                "accesses[1]: expected (none), got mmio r 0x1002 2 0x1122"), diff(m, OK));
        // without `accesses` in expect, device accesses are not compared
        String unobserved = Cases.PROT32.replaceAll(",\"accesses\":\\[.*\\]\\}\\}$", "}}");
        CaseMachine u = new CaseMachine(Cases.parse(unobserved));
        set(u, Register.RAX, 0x11223344);
        set(u, Register.RIP, 0x105);
        assertEquals(List.of(), diff(u, OK));
    }

    @Test
    void faultsCompareVectorErrorCodeAndCr2AndNoRegisterMayChange() {
        String pf = Cases.PROT32.replace("\"expect\":{\"status\":\"ok\",\"regs\":{\"rax\":\"0x11223344\",\"rip\":\"0x105\"}",
                "\"expect\":{\"status\":\"fault\",\"fault\":{\"vector\":14,\"error\":\"0x2\",\"cr2\":\"0x1000\"},\"regs\":{}")
                .replaceAll(",\"accesses\":\\[.*\\]\\}\\}$", ",\"accesses\":[]}}");
        CaseMachine m = new CaseMachine(Cases.parse(pf));
        assertEquals(List.of(), diff(m, fault(14, 2, 0x1000)));
        assertEquals(List.of("fault.vector: expected #PF, got #GP", "fault.error: expected 0x2, got 0x0", "fault.cr2: expected 0x1000, got 0x0"),
                diff(m, fault(13, 0, 0)));
        assertEquals(List.of("fault.error: expected 0x2, got no error code"), diff(m, fault(14, null, 0x1000)));
        assertEquals(List.of("status: expected fault #PF error 0x2 cr2 0x1000, got success"), diff(m, OK));
        set(m, Register.RIP, 0x105);
        assertEquals(List.of("rip: expected 0x100 (unchanged), got 0x105"), diff(m, fault(14, 2, 0x1000)));
        String ud = pf.replace("{\"vector\":14,\"error\":\"0x2\",\"cr2\":\"0x1000\"}", "{\"vector\":6}");
        CaseMachine u = new CaseMachine(Cases.parse(ud));
        assertEquals(List.of("fault.error: expected no error code, got 0x0"), diff(u, fault(6, 0, 0)));
    }

    @Test
    void unsupportedMeansTheReasonToo() {
        String json = Cases.PROT32.replace("\"expect\":{\"status\":\"ok\",\"regs\":{\"rax\":\"0x11223344\",\"rip\":\"0x105\"}",
                "\"expect\":{\"status\":\"unsupported\",\"regs\":{}").replaceAll(",\"accesses\":\\[.*\\]\\}\\}$", ",\"accesses\":[]}}");
        CaseMachine m = new CaseMachine(Cases.parse(json));
        Outcome unsupported = new Outcome(EmulatorStatus.INTERNAL_EMULATION_FAILURE, Reason.UNSUPPORTED_INSTRUCTION, -1, false, 0, 0, "x", null);
        Outcome mismatch = new Outcome(EmulatorStatus.INTERNAL_EMULATION_FAILURE, Reason.EXIT_MISMATCH, -1, false, 0, 0, "failed: exit mismatch", null);
        assertEquals(List.of(), diff(m, unsupported));
        assertEquals(List.of("status: expected unsupported (internal failure, unsupported instruction), got failed: exit mismatch"),
                diff(m, mismatch));
    }

    @Test
    void changesAreReported() {
        CaseMachine m = emulated(Cases.PROT32);
        m.memory(0x1004, true, 1, 0x99, null);
        assertEquals("[rax: 0x11 -> 0x11223344, rip: 0x100 -> 0x105]", Verifier.registerChanges(m).toString());
        assertEquals("[mem 0x1004: 55 -> 99]", Verifier.memoryChanges(m).toString());
    }
}
