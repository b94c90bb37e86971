package dev.hvex.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hvex.GvaTranslation;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.conformance.DeviceAccess.Space;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaseMachineTest {
    private static final int R = GvaTranslation.VALIDATE_READ;
    private static final int W = GvaTranslation.VALIDATE_WRITE;
    private static final int X = GvaTranslation.VALIDATE_EXECUTE;
    private static final int EXEMPT = GvaTranslation.PRIVILEGE_EXEMPT;

    private static CaseMachine machine(String json) {
        return new CaseMachine(Cases.parse(json));
    }

    @Test
    void memoryReadsAndWritesRegionsAndLogsOnlyMmio() {
        CaseMachine m = machine(Cases.PROT32);
        MemoryAccess sink = new MemoryAccess();
        assertTrue(m.memory(0x100, false, 2, 0, sink));
        assertEquals(0x00a1, sink.data());
        assertEquals(0, m.accessCount(), "RAM accesses are not device accesses");
        assertTrue(m.memory(0x1002, false, 4, 0, sink));
        assertEquals(0x66551122L, sink.data());
        assertTrue(m.memory(0x1000, true, 2, 0xffffbeefL, null));
        assertEquals(List.of(new DeviceAccess(Space.MMIO, false, 0x1002, 4, 0x66551122L),
                new DeviceAccess(Space.MMIO, true, 0x1000, 2, 0xbeef)), m.accesses());
        assertEquals("efbe221155667788", Bytes.of(m.regionBytes(1)).hex(), "MMIO regions keep their bytes");
        assertTrue(m.memory(0x1000, false, 8, 0, sink));
        assertEquals(0x88776655_1122beefL, sink.data());
    }

    @Test
    void accessesOutsideEveryRegionFailWithoutEffect() {
        CaseMachine m = machine(Cases.PROT32);
        assertFalse(m.memory(0x2000, false, 1, 0, null));
        assertFalse(m.memory(0x1006, true, 4, 0x12345678, null), "crosses the end of the region");
        assertFalse(m.memory(0xfff, false, 2, 0, null), "starts before the region");
        assertFalse(m.memory(0x1000, false, 9, 0, null), "more than 8 bytes");
        assertEquals(0, m.accessCount());
        assertEquals("4433221155667788", Bytes.of(m.regionBytes(1)).hex());
    }

    @Test
    void portsReturnTheirValuesInOrderThenAllOnes() {
        CaseMachine m = machine(Cases.IO);
        assertEquals(0x41, m.ioPort(0x3f8, false, 1, 0));
        assertEquals(0x42, m.ioPort(0x3f8, false, 1, 0));
        assertEquals(0xff, m.ioPort(0x3f8, false, 1, 0));
        assertEquals(0xffffffffL, m.ioPort(0x3f8, false, 4, 0));
        assertEquals(0xffff, m.ioPort(0x80, false, 2, 0), "a port without values reads all ones");
        assertEquals(0x34, m.ioPort(0x80, true, 1, 0x1234));
        assertEquals(-1, m.ioPort(0x80, true, 3, 0), "size 3 is not a port access");
        assertEquals(List.of(
                new DeviceAccess(Space.IO, false, 0x3f8, 1, 0x41),
                new DeviceAccess(Space.IO, false, 0x3f8, 1, 0x42),
                new DeviceAccess(Space.IO, false, 0x3f8, 1, 0xff),
                new DeviceAccess(Space.IO, false, 0x3f8, 4, 0xffffffffL),
                new DeviceAccess(Space.IO, false, 0x80, 2, 0xffff),
                new DeviceAccess(Space.IO, true, 0x80, 1, 0x34)), m.accesses());
        m.reset();
        assertEquals(0, m.accessCount());
        assertEquals(0x41, m.ioPort(0x3f8, false, 1, 0), "reset rewinds the port values");
    }

    @Test
    void registersGetSetAndReset() {
        CaseMachine m = machine(Cases.PROT32);
        RegisterValues batch = new RegisterValues(8);
        batch.add(Register.RAX);
        batch.add(Register.RBX);
        batch.add(Register.CS);
        batch.add(Register.DS);
        batch.add(Register.XMM3);
        batch.add(Register.MXCSR);
        assertTrue(m.getRegisters(batch));
        assertEquals(0x11, batch.low(0));
        assertEquals(0, batch.low(1), "absent general registers are 0");
        assertEquals(0xc09b, RegisterValues.segmentAttributes(batch.high(2)));
        assertEquals(8, RegisterValues.segmentSelector(batch.high(2)));
        assertEquals(0xc093, RegisterValues.segmentAttributes(batch.high(3)), "absent segments are flat data");
        assertEquals(0xffffffff, RegisterValues.segmentLimit(batch.high(3)));
        assertEquals(0, batch.low(4) | batch.high(4));
        assertEquals(0x1f80, batch.low(5));
        RegisterValues set = new RegisterValues(2);
        set.add(Register.RBX, 0x1234, 0);
        set.add(Register.XMM3, 1, 2);
        assertTrue(m.setRegisters(set));
        assertEquals(new RegValue(0x1234, 0), m.register(Register.RBX));
        assertEquals(new RegValue(1, 2), m.register(Register.XMM3));
        assertEquals(2, Verifier.registerChanges(m).size());
        m.reset();
        assertEquals(0, m.register(Register.RBX).low());
        assertTrue(Verifier.registerChanges(m).isEmpty());
    }

    @Test
    void realModeDefaults() {
        CaseMachine m = machine(Cases.IO);
        assertEquals(0xffff, m.register(Register.DS).limit());
        assertEquals(0x93, m.register(Register.DS).attributes());
        assertEquals(0x9b, m.register(Register.CS).attributes());
        assertEquals(0, m.cpl());
    }

    @Test
    void exitContextsComeFromTheCase() {
        CaseMachine m = machine(Cases.LONG64);
        assertEquals(3, m.vpContext().cpl());
        assertTrue(m.vpContext().cr0Pe());
        assertFalse(m.vpContext().cr0Am(), "cr0 0x80010033 has WP but not AM");
        assertTrue(m.vpContext().eferLma());
        assertEquals(0x400000, m.vpContext().rip());
        assertEquals(0x33, m.vpContext().cs().selector());
        assertEquals(0, m.vpContext().instructionLength());
        assertEquals(dev.hvex.CpuMode.LONG64, m.vpContext().mode());
        MmioAccessContext a = m.mmioContext();
        assertEquals(2, a.instructionByteCount());
        assertEquals((byte) 0x8b, a.instructionBytes()[0]);
        assertEquals(0xd0000000L, a.gpa());
        assertEquals(0x7000, a.gva());
        assertTrue(a.gvaValid());
        assertTrue(a.gpaUnmapped(), "the access is to an MMIO region");
        assertEquals(MmioAccessContext.READ, a.accessType());
        assertNull(m.ioContext());

        CaseMachine io = machine(Cases.IO);
        assertNull(io.mmioContext());
        assertEquals(0x3f8, io.ioContext().port());
        assertEquals(1, io.ioContext().accessSize());
        assertFalse(io.ioContext().isWrite());
        assertEquals(0xffff, io.ioContext().rax());
        assertEquals(0xffff, io.ioContext().ds().limit());
        assertFalse(io.vpContext().cr0Pe());
        assertEquals(0, io.vpContext().cpl());
    }

    @Test
    void cplDefaultsToTheCodeSegmentDpl() {
        assertEquals(3, machine(Cases.LONG64.replace("\"cpl\":3,", "")).cpl());
        assertEquals(0, machine(Cases.LONG64.replace("\"cpl\":3,", "").replace("0xa0fb", "0xa09b")).cpl());
        assertEquals(1, machine(Cases.LONG64.replace("\"cpl\":3,", "\"cpl\":1,")).cpl());
    }

    @Test
    void aModeThatDisagreesWithTheRegistersIsInvalid() {
        InvalidCaseException e = assertThrows(InvalidCaseException.class,
                () -> machine(Cases.PROT32.replace("\"mode\":\"prot32\"", "\"mode\":\"prot16\"")));
        assertEquals("case 't/prot32/1': mode prot16 disagrees with cr0 0x11, efer 0x0 and cs.attr 0xc09b, which select prot32",
                e.getMessage());
    }

    /** FORMAT.md "Translation", one row per rule. */
    @ParameterizedTest(name = "cpl {0} cr0 {1} efer {2} gva {3} flags {4} -> {5}")
    @CsvSource({
        // cpl, cr0,        efer,   gva,    flags,        result, gpa
        "3, 0x80010033, 0xd01, 0x7000, " + R + ",          0, 0xd0000000",
        "3, 0x80010033, 0xd01, 0x7abc, " + R + ",          0, 0xd0000000",
        "3, 0x80010033, 0xd01, 0x7000, " + W + ",          0, 0xd0000000",
        "3, 0x80010033, 0xd01, 0x7000, " + X + ",          2, 0",
        "3, 0x80010033, 0x501, 0x7000, " + X + ",          0, 0xd0000000",
        "3, 0x80010033, 0xd01, 0x8000, " + W + ",          2, 0",
        "3, 0x80000033, 0xd01, 0x8000, " + W + ",          2, 0",
        "3, 0x80000033, 0xd01, 0x8000, " + (W | EXEMPT) + ", 0, 0xd0001000",
        "3, 0x80010033, 0xd01, 0x8000, " + (W | EXEMPT) + ", 2, 0",
        "0, 0x80010033, 0xd01, 0x8000, " + W + ",          2, 0",
        "0, 0x80000033, 0xd01, 0x8000, " + W + ",          0, 0xd0001000",
        "0, 0x80000033, 0xd01, 0x8000, " + R + ",          0, 0xd0001000",
        "3, 0x80010033, 0xd01, 0x9000, " + R + ",          2, 0",
        "3, 0x80010033, 0xd01, 0x9000, " + (R | EXEMPT) + ", 0, 0xd0002000",
        "0, 0x80010033, 0xd01, 0x9000, " + (R | W | X) + ", 0, 0xd0002000",
        "3, 0x80010033, 0xd01, 0xa000, " + R + ",          1, 0",
        "0, 0x80010033, 0xd01, 0x0,    " + R + ",          1, 0",
    })
    void translationFollowsThePages(int cpl, String cr0, String efer, String gva, int flags, int result, String gpa) {
        CaseMachine m = machine(Cases.LONG64.replace("\"cpl\":3", "\"cpl\":" + cpl)
                .replace("\"cr0\":\"0x80010033\"", "\"cr0\":\"" + cr0 + "\"")
                .replace("\"efer\":\"0xd01\"", "\"efer\":\"" + efer + "\""));
        GvaTranslation t = new GvaTranslation();
        assertTrue(m.translateGvaPage(Long.decode(gva) & ~0xfffL, flags, t));
        assertEquals(result, t.resultCode());
        if (result == GvaTranslation.SUCCESS) {
            assertEquals((long) Long.decode(gpa), t.gpaPage());
        }
    }

    @Test
    void pagingOffTranslatesToItself() {
        CaseMachine m = machine(Cases.PROT32);
        GvaTranslation t = new GvaTranslation();
        assertTrue(m.translateGvaPage(0x5000, W, t));
        assertEquals(GvaTranslation.SUCCESS, t.resultCode());
        assertEquals(0x5000, t.gpaPage());
    }

    @Test
    void highHalfPagesAreFound() {
        CaseMachine m = machine(Cases.LONG64.replace("\"gva\":\"0x9000\"", "\"gva\":\"0xffff800000009000\"").replace("\"cpl\":3", "\"cpl\":0"));
        GvaTranslation t = new GvaTranslation();
        assertTrue(m.translateGvaPage(0xffff800000009000L, R, t));
        assertEquals(GvaTranslation.SUCCESS, t.resultCode());
        assertEquals(0xd0002000L, t.gpaPage());
    }
}
