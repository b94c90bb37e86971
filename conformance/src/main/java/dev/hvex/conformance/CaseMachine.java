package dev.hvex.conformance;

import dev.hvex.CpuMode;
import dev.hvex.Emulator;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.conformance.ExitCase.MemKind;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.Page;
import dev.hvex.conformance.ExitCase.PortValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The virtual machine of one exit case, as a VMM would present it to the emulator: a register file over
 * {@code regs}, guest-physical memory over {@code mem}, page translations over {@code pages}, ports over
 * {@code ports}, and the exit contexts the hypervisor would have reported. It knows nothing about the
 * instruction: it answers the callbacks and logs every device access.
 *
 * <p>Built once per case; {@link #run} restores the initial state, so a case can be re-run (benchmarks)
 * without re-parsing. Runs allocate nothing once the access log has grown to the case's size.
 * The emulator reaches this machine through {@link ReplayCallbacks}: the machine is the callbacks' context.
 */
public final class CaseMachine {
    private static final int REGISTERS = Register.count();
    private static final long CR0_PE = 1L;
    private static final long CR0_WP = 1L << 16;
    private static final long CR0_AM = 1L << 18;
    private static final long CR0_PG = 1L << 31;
    private static final long EFER_LMA = 1L << 10;
    private static final long EFER_NXE = 1L << 11;
    private static final long RFLAGS_VM = 1L << 17;

    private final ExitCase exitCase;

    private final long[] initialLow = new long[REGISTERS];
    private final long[] initialHigh = new long[REGISTERS];
    private final long[] low = new long[REGISTERS];
    private final long[] high = new long[REGISTERS];

    private final long[] regionGpa;
    private final boolean[] regionMmio;
    private final byte[][] regionInitial;
    private final byte[][] regionData;

    private final boolean paging;
    private final boolean writeProtect;
    private final boolean noExecute;
    private final int cpl;
    private final long[] pageGva;
    private final Page[] pageByIndex;

    private final int[] portNumber;
    private final long[][] portValues;
    private final int[] portCursor;

    private int logCount;
    private DeviceAccess.Space[] logSpace = new DeviceAccess.Space[8];
    private boolean[] logWrite = new boolean[8];
    private long[] logAddr = new long[8];
    private int[] logSize = new int[8];
    private long[] logData = new long[8];

    private int refusals;
    private String firstRefusal;

    private final VpExitContext vp = new VpExitContext();
    private final MmioAccessContext mmio;
    private final IoPortAccessContext io;

    /**
     * @throws InvalidCaseException when the case's mode disagrees with its registers
     */
    public CaseMachine(ExitCase c) {
        this.exitCase = c;
        CpuMode mode = c.mode();
        for (Register r : Register.values()) {
            RegValue v = c.regs().get(r);
            if (v == null) {
                v = MachineDefaults.value(r, mode);
            }
            initialLow[r.ordinal()] = v.low();
            initialHigh[r.ordinal()] = v.high();
        }
        long cr0 = initialLow[Register.CR0.ordinal()];
        long efer = initialLow[Register.EFER.ordinal()];
        long rflags = initialLow[Register.RFLAGS.ordinal()];
        long csHigh = initialHigh[Register.CS.ordinal()];
        int csAttr = RegisterValues.segmentAttributes(csHigh);
        CpuMode selected = CpuMode.of((cr0 & CR0_PE) != 0, (efer & EFER_LMA) != 0, (rflags & RFLAGS_VM) != 0, csAttr);
        if (selected != mode) {
            throw new InvalidCaseException(c.id(), "mode " + mode.label() + " disagrees with cr0 " + Hex.u64(cr0)
                    + ", efer " + Hex.u64(efer) + " and cs.attr " + Hex.u64(csAttr) + ", which select " + selected.label());
        }
        if (c.cpl() != null) {
            cpl = c.cpl();
        } else if (mode == CpuMode.REAL16) {
            cpl = 0;
        } else if (mode == CpuMode.VM86) {
            cpl = 3;
        } else {
            cpl = (csAttr >>> 5) & 3;
        }

        int n = c.mem().size();
        regionGpa = new long[n];
        regionMmio = new boolean[n];
        regionInitial = new byte[n][];
        regionData = new byte[n][];
        for (int i = 0; i < n; i++) {
            MemRegion r = c.mem().get(i);
            regionGpa[i] = r.gpa();
            regionMmio[i] = r.kind() == MemKind.MMIO;
            regionInitial[i] = r.bytes().toArray();
            regionData[i] = regionInitial[i].clone();
        }

        paging = (cr0 & CR0_PG) != 0;
        writeProtect = (cr0 & CR0_WP) != 0;
        noExecute = (efer & EFER_NXE) != 0;
        List<Page> pages = c.pages() == null ? List.of() : c.pages();
        Page[] sorted = pages.toArray(new Page[0]);
        Arrays.sort(sorted, (a, b) -> Long.compare(a.gva(), b.gva()));
        pageByIndex = sorted;
        pageGva = new long[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            pageGva[i] = sorted[i].gva() & ~0xfffL;
        }

        Map<Integer, List<Long>> byPort = new LinkedHashMap<>();
        for (PortValues pv : c.ports()) {
            byPort.computeIfAbsent(pv.port(), k -> new ArrayList<>()).addAll(pv.values());
        }
        portNumber = new int[byPort.size()];
        portValues = new long[byPort.size()][];
        portCursor = new int[byPort.size()];
        int k = 0;
        for (Map.Entry<Integer, List<Long>> en : byPort.entrySet()) {
            portNumber[k] = en.getKey();
            portValues[k] = en.getValue().stream().mapToLong(Long::longValue).toArray();
            k++;
        }

        vp.setCpl(cpl)
                .setCr0Pe((cr0 & CR0_PE) != 0)
                .setCr0Am((cr0 & CR0_AM) != 0)
                .setEferLma((efer & EFER_LMA) != 0)
                .setInstructionLength(0)
                .setRip(initialLow[Register.RIP.ordinal()])
                .setRflags(rflags);
        setSegment(vp.cs(), Register.CS);
        byte[] insn = c.insn().toArray();
        if (c.exit() == ExitCase.Exit.MMIO) {
            mmio = new MmioAccessContext()
                    .setInstructionBytes(insn, 0, insn.length)
                    .setAccessType(c.access().type().code())
                    .setGpa(c.access().gpa())
                    .setGva(c.access().gva())
                    .setGvaValid(c.access().gvaValid())
                    .setGpaUnmapped(!inRam(c.access().gpa()));
            io = null;
        } else {
            io = new IoPortAccessContext()
                    .setInstructionBytes(insn, 0, insn.length)
                    .setWrite(c.io().write())
                    .setAccessSize(c.io().size())
                    .setStringOp(c.io().string())
                    .setRepPrefix(c.io().rep())
                    .setPort(c.io().port())
                    .setRax(initialLow[Register.RAX.ordinal()])
                    .setRcx(initialLow[Register.RCX.ordinal()])
                    .setRsi(initialLow[Register.RSI.ordinal()])
                    .setRdi(initialLow[Register.RDI.ordinal()]);
            setSegment(io.ds(), Register.DS);
            setSegment(io.es(), Register.ES);
            mmio = null;
        }
        reset();
    }

    private void setSegment(dev.hvex.Segment s, Register r) {
        long h = initialHigh[r.ordinal()];
        s.set(initialLow[r.ordinal()], RegisterValues.segmentLimit(h), RegisterValues.segmentSelector(h),
                RegisterValues.segmentAttributes(h));
    }

    private boolean inRam(long gpa) {
        int r = regionOf(gpa);
        return r >= 0 && !regionMmio[r];
    }

    public ExitCase exitCase() {
        return exitCase;
    }

    /** The CPL the exit context reports and translation checks use. */
    public int cpl() {
        return cpl;
    }

    public VpExitContext vpContext() {
        return vp;
    }

    /** The MMIO exit context, or null for a port-I/O case. */
    public MmioAccessContext mmioContext() {
        return mmio;
    }

    /** The port-I/O exit context, or null for an MMIO case. */
    public IoPortAccessContext ioContext() {
        return io;
    }

    /** Restores the state before the instruction: registers, memory, port queues, the access log. */
    public void reset() {
        System.arraycopy(initialLow, 0, low, 0, REGISTERS);
        System.arraycopy(initialHigh, 0, high, 0, REGISTERS);
        for (int i = 0; i < regionData.length; i++) {
            System.arraycopy(regionInitial[i], 0, regionData[i], 0, regionInitial[i].length);
        }
        Arrays.fill(portCursor, 0);
        logCount = 0;
        refusals = 0;
        firstRefusal = null;
    }

    /** Resets the machine and emulates the exit on {@code emulator} (whose callbacks must be {@link ReplayCallbacks}). */
    public EmulatorStatus run(Emulator emulator) {
        reset();
        return mmio != null ? emulator.tryMmioEmulation(this, vp, mmio) : emulator.tryIoEmulation(this, vp, io);
    }

    // ---- the callbacks ------------------------------------------------------------------------------

    boolean getRegisters(RegisterValues batch) {
        for (int i = 0, n = batch.count(); i < n; i++) {
            int r = batch.name(i).ordinal();
            batch.set(i, low[r], high[r]);
        }
        return true;
    }

    boolean setRegisters(RegisterValues batch) {
        for (int i = 0, n = batch.count(); i < n; i++) {
            int r = batch.name(i).ordinal();
            low[r] = batch.low(i);
            high[r] = batch.high(i);
        }
        return true;
    }

    boolean memory(MemoryAccess a) {
        return memory(a.gpa(), a.isWrite(), a.size(), a.data(), a);
    }

    /**
     * A guest-physical access of {@code size} bytes; for a write {@code data} holds the bytes, for a read the
     * result goes to {@code sink} (when not null). Fails when any byte lies outside every region.
     */
    boolean memory(long gpa, boolean write, int size, long data, MemoryAccess sink) {
        if (size < 1 || size > 8) {
            return refuse(write, gpa, size, "the size is not 1 to 8");
        }
        boolean device = false;
        for (int i = 0; i < size; i++) {
            int r = regionOf(gpa + i);
            if (r < 0) {
                return refuse(write, gpa, size, Hex.u64(gpa + i) + " is outside every region of the case");
            }
            device |= regionMmio[r];
        }
        long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
        long value;
        if (write) {
            value = data & mask;
            for (int i = 0; i < size; i++) {
                long addr = gpa + i;
                int r = regionOf(addr);
                regionData[r][(int) (addr - regionGpa[r])] = (byte) (value >>> (8 * i));
            }
        } else {
            value = 0;
            for (int i = 0; i < size; i++) {
                long addr = gpa + i;
                int r = regionOf(addr);
                value |= (regionData[r][(int) (addr - regionGpa[r])] & 0xffL) << (8 * i);
            }
            if (sink != null) {
                sink.setData(value);
            }
        }
        if (device) {
            log(DeviceAccess.Space.MMIO, write, gpa, size, value);
        }
        return true;
    }

    private boolean refuse(boolean write, long gpa, int size, String why) {
        if (refusals++ == 0) {
            firstRefusal = "memory callback refused a " + (write ? "write" : "read") + " of " + size + " byte" + (size == 1 ? "" : "s")
                    + " at " + Hex.u64(gpa) + ": " + why;
        }
        return false;
    }

    /**
     * Why the memory callback failed in the last run (the first refusal, for diagnostics), or null.
     * Allocates only when a callback failed.
     */
    public String callbackFailure() {
        return refusals <= 1 ? firstRefusal : firstRefusal + " (and " + (refusals - 1) + " more)";
    }

    private int regionOf(long addr) {
        for (int r = 0; r < regionGpa.length; r++) {
            if (Long.compareUnsigned(addr - regionGpa[r], regionData[r].length) < 0) {
                return r;
            }
        }
        return -1;
    }

    boolean ioPort(IoPortAccess a) {
        long v = ioPort(a.port(), a.isWrite(), a.size(), a.data() & 0xffffffffL);
        if (v < 0) {
            return false;
        }
        if (!a.isWrite()) {
            a.setData((int) v);
        }
        return true;
    }

    /** A port access; returns the value read (or written), or -1 when the size is not 1, 2 or 4. */
    long ioPort(int port, boolean write, int size, long data) {
        if (size != 1 && size != 2 && size != 4) {
            return -1;
        }
        long mask = (1L << (8 * size)) - 1;
        long value;
        if (write) {
            value = data & mask;
        } else {
            value = mask;
            for (int k = 0; k < portNumber.length; k++) {
                if (portNumber[k] == port) {
                    if (portCursor[k] < portValues[k].length) {
                        value = portValues[k][portCursor[k]++] & mask;
                    }
                    break;
                }
            }
        }
        log(DeviceAccess.Space.IO, write, port & 0xffff, size, value);
        return value;
    }

    boolean translateGvaPage(long gvaPage, int flags, GvaTranslation result) {
        long page = gvaPage & ~0xfffL;
        if (!paging) {
            result.set(GvaTranslation.SUCCESS, page);
            return true;
        }
        int i = Arrays.binarySearch(pageGva, page);
        if (i < 0) {
            result.set(GvaTranslation.PAGE_NOT_PRESENT, 0);
            return true;
        }
        Page p = pageByIndex[i];
        boolean user = cpl == 3 && (flags & GvaTranslation.PRIVILEGE_EXEMPT) == 0;
        boolean denied = ((flags & GvaTranslation.VALIDATE_WRITE) != 0 && !p.w() && (user || writeProtect))
                || (user && !p.u())
                || ((flags & GvaTranslation.VALIDATE_EXECUTE) != 0 && !p.x() && noExecute);
        if (denied) {
            result.set(GvaTranslation.PRIVILEGE_VIOLATION, 0);
        } else {
            result.set(GvaTranslation.SUCCESS, p.gpa() & ~0xfffL);
        }
        return true;
    }

    private void log(DeviceAccess.Space space, boolean write, long addr, int size, long data) {
        if (logCount == logAddr.length) {
            int n = logCount * 2;
            logSpace = Arrays.copyOf(logSpace, n);
            logWrite = Arrays.copyOf(logWrite, n);
            logAddr = Arrays.copyOf(logAddr, n);
            logSize = Arrays.copyOf(logSize, n);
            logData = Arrays.copyOf(logData, n);
        }
        logSpace[logCount] = space;
        logWrite[logCount] = write;
        logAddr[logCount] = addr;
        logSize[logCount] = size;
        logData[logCount] = data;
        logCount++;
    }

    // ---- observations ---------------------------------------------------------------------------------

    /** Device accesses of the last run, in order. */
    public int accessCount() {
        return logCount;
    }

    public DeviceAccess access(int i) {
        if (i >= logCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return new DeviceAccess(logSpace[i], logWrite[i], logAddr[i], logSize[i], logData[i]);
    }

    public List<DeviceAccess> accesses() {
        List<DeviceAccess> list = new ArrayList<>(logCount);
        for (int i = 0; i < logCount; i++) {
            list.add(access(i));
        }
        return list;
    }

    /** The register's current value (after a run: the final value). */
    public RegValue register(Register r) {
        return new RegValue(low[r.ordinal()], high[r.ordinal()]);
    }

    public RegValue initialRegister(Register r) {
        return new RegValue(initialLow[r.ordinal()], initialHigh[r.ordinal()]);
    }

    public int regionCount() {
        return regionGpa.length;
    }

    public long regionGpa(int i) {
        return regionGpa[i];
    }

    public boolean regionIsMmio(int i) {
        return regionMmio[i];
    }

    /** A copy of the region's current bytes. */
    public byte[] regionBytes(int i) {
        return regionData[i].clone();
    }

    /** A copy of the region's bytes before the run. */
    public byte[] regionInitialBytes(int i) {
        return regionInitial[i].clone();
    }
}
