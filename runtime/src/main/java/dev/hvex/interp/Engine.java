package dev.hvex.interp;

import static dev.hvex.gen.OperandCodes.*;

import dev.hvex.CpuMode;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.IoPortAccess;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.semantics.Semantics;

/**
 * The reference interpreter: one instance per {@link dev.hvex.Emulator}, reused for every exit.
 *
 * <p>One emulation runs in four steps: decode (fetching missing bytes through the callbacks), gather
 * the registers the instruction needs and get them in one batch, execute the family's semantics
 * (memory accesses go out as they happen, reads before writes, every check before the first write),
 * then set every changed register, RIP and RFLAGS in one batch. A fault or a failed callback unwinds
 * with {@link Abort} before the final set, so the guest's registers stay untouched.
 *
 * <p>A cached instruction ({@code dev.hvex.jit}) skips the decode and the gathering: its profile holds
 * both. A specialized handler with a fast path ({@code runFast}, 64-bit mode, one memory operand) gets its
 * registers, checks, translates and makes its access itself through the {@code fast*} methods here, and
 * the engine only sets RIP and the changed registers; anything unusual falls back to the general path.
 *
 * <p>The semantics ({@code dev.hvex.semantics}) see the engine through its operand and memory methods;
 * page translation is {@link PageTranslator}'s.
 */
public final class Engine {
    /** What the last emulation ended with; the public {@link EmulatorStatus} reads it. */
    public static final class Outcome {
        public int bits;
        public EmulatorStatus.Reason reason = EmulatorStatus.Reason.NONE;
        public int formId = -1;
        public int vector = -1;
        public boolean hasErrorCode;
        public int errorCode;
        public long cr2;

        /** Back to "nothing to report"; a successful emulation leaves these as they are. */
        void clearDetails() {
            if (reason != EmulatorStatus.Reason.NONE) {
                reason = EmulatorStatus.Reason.NONE;
            }
            vector = -1;
            hasErrorCode = false;
            errorCode = 0;
            cr2 = 0;
        }
    }

    /** Counters, readable without allocation. */
    public static final class Stats {
        /** Emulations that took the general route: decode (or fetch) and interpret, or an early failure. */
        public long generalRuns;
        /** Emulations that ran a cached handler, skipping decode. */
        public long cachedRuns;
        public long faults;
        public long failures;
        public long fetches;

        /** Every emulation; the hot path counts once, in {@link #cachedRuns}. */
        public long emulations() {
            return generalRuns + cachedRuns;
        }
    }

    // Memory access kinds for translation and checks.
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int RMW = READ | WRITE;
    static final int FETCH = 4;

    private static final int MAX_FETCH = 15;

    private final EmulatorCallbacks callbacks;
    private final EmulatorOptions options;
    /** {@link EmulatorOptions#verifyExits()}, read on every fast path. */
    private final boolean verifyExits;
    private final Outcome outcome = new Outcome();
    private final Stats stats = new Stats();
    /** The batch of the get callback; its names persist while a cached instruction repeats. */
    private final RegisterValues batch = new RegisterValues(96);
    /** The batch of the set callback, rebuilt only when the set of changed registers changes. */
    private final RegisterValues setBatch = new RegisterValues(96);
    private Register[] namesInBatch;
    private long setSignature = -1;
    /** {@link #setSignature} of a set batch holding RIP alone. */
    private static final long RIP_ONLY = 1L << 48;
    /** Whether the scratch state below may hold something from the last emulation. */
    private boolean scratchUsed;
    private final MemoryAccess memAccess = new MemoryAccess();
    private final IoPortAccess ioAccess = new IoPortAccess();
    private final PageTranslator pages;
    /** The instruction being executed: the interpreter's scratch, or a cached handler's snapshot. */
    public DecodedInstruction insn;
    private final DecodedInstruction scratch = new DecodedInstruction();
    private final dev.hvex.jit.HandlerCache cache;
    private final byte[] bytes = new byte[16];
    private final byte[] vectorBytes = new byte[32];
    /** Four longs of vector data for the SSE/AVX semantics (one YMM register), reused. */
    public final long[] vectorScratch = new long[4];
    private dev.hvex.jit.Profile memoProfile;
    private dev.hvex.jit.Handler memoHandler;
    /** The profile whose decoded instruction and register masks {@link #runCached} last put in place. */
    private dev.hvex.jit.Profile profileInPlace;
    private long memoKey0;
    private long memoKey1;
    private int memoModeCount;

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    // The exit being emulated.
    private Object context;
    private VpExitContext vp;
    public CpuMode mode;
    public int cpl;

    // Register cache: values, which are loaded, which changed.
    private final long[] gpr = new long[16];
    private int gprWanted;
    private int gprDirty;
    public long rip;
    public long rflags;
    private final long[] segBase = new long[6];
    private final int[] segLimit = new int[6];
    private final int[] segAttr = new int[6];
    private final int[] segSelector = new int[6];
    private int segWanted;
    private boolean cr0Wanted;
    private long cr0;
    private final long[] xmmLo = new long[16];
    private final long[] xmmHi = new long[16];
    private final long[] ymmLo = new long[16];
    private final long[] ymmHi = new long[16];
    private int xmmWanted;
    private int xmmDirty;
    private int ymmWanted;
    private int ymmDirty;
    private boolean paging;
    /** Set by a REP instruction that stopped at its iteration budget: RIP stays, the guest re-executes. */
    public boolean repInterrupted;
    private boolean eaKnown;
    private long ea;

    // REP progress that survives a fault in a later iteration (SDM: completed iterations stay done).
    private int committedGprMask;
    private final long[] committedGpr = new long[16];
    private long committedFlags;

    // I/O exit context, for IN/OUT/INS/OUTS.
    private IoPortAccessContext ioContext;
    private MmioAccessContext mmioContext;

    public Engine(EmulatorCallbacks callbacks, EmulatorOptions options) {
        this.callbacks = callbacks;
        this.options = options;
        this.verifyExits = options.verifyExits();
        this.cache = options.specialize() ? options.cache() : null;
        this.pages = new PageTranslator(this, callbacks);
        this.insn = scratch;
    }

    public Outcome outcome() {
        return outcome;
    }

    public Stats stats() {
        return stats;
    }

    public EmulatorOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- entry points

    public void runMmio(Object ctx, VpExitContext exit, MmioAccessContext access) {
        begin(ctx, exit);
        if (ioContext != null) {
            ioContext = null;
        }
        if (mmioContext != access) {
            mmioContext = access;
        }
        emulate(access.instructionBytes(), Math.min(Math.max(access.instructionByteCount(), 0), 16));
    }

    public void runIo(Object ctx, VpExitContext exit, IoPortAccessContext access) {
        begin(ctx, exit);
        if (ioContext != access) {
            ioContext = access;
        }
        if (mmioContext != null) {
            mmioContext = null;
        }
        emulate(access.instructionBytes(), Math.min(Math.max(access.instructionByteCount(), 0), 16));
    }

    private void begin(Object ctx, VpExitContext exit) {
        // Reference fields are written only when they change: each store costs a GC write barrier.
        if (context != ctx) {
            context = ctx;
            pages.context = ctx;
        }
        if (vp != exit) {
            vp = exit;
        }
        // Every route sets the status bits and the form; only a failure or fault leaves details behind.
        Outcome o = outcome;
        if (o.bits != EmulatorStatus.EMULATION_SUCCESSFUL) {
            o.clearDetails();
        }
        if (scratchUsed) {
            clearScratch();
        }
    }

    /**
     * Forgets the last emulation's changed registers, translations, effective address and REP progress.
     * Only the general route and unwinding leave any behind ({@link #scratchUsed}); a fast path cleans up
     * after itself, so a hot exit skips this.
     */
    private void clearScratch() {
        scratchUsed = false;
        gprDirty = 0;
        xmmDirty = 0;
        ymmDirty = 0;
        pages.forget();
        eaKnown = false;
        committedGprMask = 0;
    }

    private void emulate(byte[] reported, int byteCount) {
        try {
            if (vp.interruptionPending()) {
                stats.generalRuns++;
                outcome.formId = -1;
                fail(EmulatorStatus.INTERRUPT_CAUSED_INTERCEPT, EmulatorStatus.Reason.INTERRUPTION_PENDING);
            }
            CpuMode m = vp.mode();
            if (mode != m) {
                mode = m; // a reference store costs a GC write barrier: only when the mode changes
            }
            cpl = mode == CpuMode.REAL16 ? 0 : mode == CpuMode.VM86 ? 3 : vp.cpl();
            // Outside 64-bit mode the instruction pointer is EIP: bits 63:32 of what the VMM passes mean nothing.
            rip = mode.is64() ? vp.rip() : vp.rip() & 0xffffffffL;
            rflags = vp.rflags();
            dev.hvex.jit.Profile profile = null;
            long k0 = 0;
            long k1 = 0;
            if (cache != null) {
                k0 = dev.hvex.jit.HandlerCache.keyLow(reported, byteCount);
                k1 = dev.hvex.jit.HandlerCache.keyHigh(reported, byteCount);
                profile = findProfile(k0, k1, byteCount);
                if (profile != null && profile == memoProfile) {
                    stats.cachedRuns++;
                    runCached(profile, memoHandler);
                    return;
                }
            }
            interpret(reported, byteCount, profile, k0, k1);
        } catch (Abort a) {
            scratchUsed = true; // outcome already recorded
        } catch (RuntimeException e) {
            scratchUsed = true;
            // A bug in hvex must not escape into the VMM's exit loop as an exception.
            outcome.bits = EmulatorStatus.INTERNAL_EMULATION_FAILURE;
            outcome.reason = EmulatorStatus.Reason.INTERNAL_ERROR;
            stats.failures++;
        }
    }

    /**
     * The profile of this exit's bytes: the engine's memo of its last cached exit first (a vCPU tends to
     * exit on the same instruction again), then the shared cache.
     */
    private dev.hvex.jit.Profile findProfile(long k0, long k1, int byteCount) {
        int mc = mode.ordinal() << 8 | byteCount;
        if (memoProfile != null && k0 == memoKey0 && k1 == memoKey1 && mc == memoModeCount) {
            return memoProfile;
        }
        dev.hvex.jit.Profile profile = cache.lookup(mode, k0, k1, byteCount);
        dev.hvex.jit.Handler handler = profile == null ? null : profile.handler;
        if (handler != null) {
            // A profile's handler is set once, so the memo keeps it and the hot path skips the volatile read.
            memoHandler = handler;
            memoProfile = profile;
            memoKey0 = k0;
            memoKey1 = k1;
            memoModeCount = mc;
        }
        return profile;
    }

    /** The cold path: decode (fetching what is missing), gather registers, profile, execute. */
    private void interpret(byte[] reported, int byteCount, dev.hvex.jit.Profile profile, long k0, long k1) {
        stats.generalRuns++;
        scratchUsed = true;
        outcome.formId = -1;
        profileInPlace = null;
        gprWanted = 0;
        segWanted = 0;
        cr0Wanted = false;
        xmmWanted = 0;
        ymmWanted = 0;
        System.arraycopy(reported, 0, bytes, 0, byteCount);
        java.util.Arrays.fill(bytes, byteCount, 16, (byte) 0);
        insn = scratch;
        decodeOrFetch(byteCount);
        DecodedInstruction d = insn;
        outcome.formId = d.form;
        if (d.family == Families.NONE) {
            fail(EmulatorStatus.INTERNAL_EMULATION_FAILURE, EmulatorStatus.Reason.UNSUPPORTED_INSTRUCTION);
        }
        if (d.vexKind != 0 && mode.isRealAddressing()) {
            fault(6, false, 0); // VEX is #UD in real and virtual-8086 mode (SDM Vol. 2 2.3.2)
        }
        gatherRegisters();
        if (cache != null && byteCount >= d.length) {
            profile = cache.record(profile, mode, k0, k1, byteCount, d, gprWanted, segWanted, xmmWanted,
                ymmWanted, cr0Wanted, options.specializeThreshold());
            if (profile != null && profile.handler != null) {
                insn = profile.decoded;
                execute(profile.handler);
                return;
            }
        }
        execute(null);
    }

    /** The hot path: a cached instruction skips decoding and register gathering. */
    private void runCached(dev.hvex.jit.Profile p, dev.hvex.jit.Handler handler) {
        if (p != profileInPlace) {
            // The decoded instruction and register masks stay in place while the same profile runs again.
            insn = p.decoded;
            gprWanted = p.gprMask;
            segWanted = p.segMask;
            xmmWanted = p.xmmMask;
            ymmWanted = p.ymmMask;
            cr0Wanted = p.cr0;
            profileInPlace = p;
        }
        outcome.formId = p.decoded.form;
        executeCached(handler, p.names);
    }

    /** The cold path's execution: gets the registers, runs the semantics, sets registers. */
    private void execute(dev.hvex.jit.Handler handler) {
        checkCodeLimit();
        boolean got = loadRegisters(null);
        executeGeneral(handler, got, rflags);
    }

    /**
     * The hot path's execution. Kept apart from {@link #executeGeneral} and small, so that the JIT inlines
     * it into the exit path (a method whose compiled code is large is called, not inlined).
     */
    private void executeCached(dev.hvex.jit.Handler handler, Register[] names) {
        if (!mode.is64()) {
            checkCodeLimit();
        }
        long oldFlags = rflags;
        if (!handler.fast) {
            executeGeneral(handler, loadRegisters(names), oldFlags);
            return;
        }
        // A fast path (64-bit mode only, so RIP needs no wrapping) gets the registers, reads the batch
        // directly and does the whole instruction, or declines having done nothing more.
        if (names != namesInBatch) {
            batch.setNames(names);
            namesInBatch = names;
        }
        if (handler.runFast(this)) {
            rip += insn.length;
            if (gprDirty == 0 && rflags == oldFlags && setSignature == RIP_ONLY) {
                setRip(); // a store: only RIP changes
            } else {
                commit(oldFlags, true);
                gprDirty = 0;
            }
            outcome.bits = EmulatorStatus.EMULATION_SUCCESSFUL;
            return;
        }
        executeGeneral(handler, names.length != 0, oldFlags);
    }

    /**
     * Reported bytes may reach past the CS limit too: the processor would not have run them. (Checked on
     * both tiers, since a cached instruction is not decoded again.)
     */
    private void checkCodeLimit() {
        if (!mode.is64() && rip + insn.length - 1 > (vp.cs().limit() & 0xffffffffL)) {
            fault(13, true, 0);
        }
    }

    /** Runs the semantics on the register cache: a specialized handler's general path, or the interpreter. */
    private void executeGeneral(dev.hvex.jit.Handler handler, boolean got, long oldFlags) {
        scratchUsed = true;
        // The general path needs the values in the register cache, and CR0 among them outside long mode.
        if (got) {
            scatter(batch);
        }
        paging = mode.is64() || mode == CpuMode.COMPAT16 || mode == CpuMode.COMPAT32 // long mode: always
            || mode != CpuMode.REAL16 && !vp.eferLma() && (cr0 & 0x80000000L) != 0;
        repInterrupted = false;
        if (!verifyExits) {
            // the VMM vouches for the exit (a debugger stepping, say)
        } else if (mmioContext != null) {
            ExitConsistency.checkMmio(this, mmioContext);
        } else {
            ExitConsistency.checkIo(this, ioContext);
        }
        if (handler != null) {
            handler.run(this);
        } else {
            Semantics.execute(this, insn);
        }
        if (!repInterrupted) {
            rip = nextRip();
        }
        commit(oldFlags, true);
        outcome.bits = EmulatorStatus.EMULATION_SUCCESSFUL;
    }

    /** RIP after the instruction, wrapped to the code segment's size. */
    public long nextRip() {
        long next = rip + insn.length;
        if (mode.is64()) {
            return next;
        }
        return mode.defaultSize() == 2 ? next & 0xffff : next & 0xffffffffL;
    }

    // ---------------------------------------------------------------- decoding and fetching

    private void decodeOrFetch(int have) {
        int status = Decoder.decode(bytes, 0, have, mode, insn);
        while (status == DecodeStatus.NEED_MORE_BYTES && have < MAX_FETCH) {
            have += fetchCode(have);
            status = Decoder.decode(bytes, 0, have, mode, insn);
        }
        switch (status) {
            case DecodeStatus.OK:
                return;
            case DecodeStatus.TOO_LONG:
                fault(13, true, 0);
                return;
            default:
                fault(6, false, 0);
        }
    }

    /** Fetches instruction bytes at CS:RIP+have up to the end of the page (or 8 bytes); returns the count. */
    private int fetchCode(int have) {
        stats.fetches++;
        // Not masked to the IP size: an instruction that runs past the end of its code segment (IP 0xffff
        // in real mode, say) faults; it does not wrap to offset 0.
        long offset = rip + have;
        long limit = vp.cs().limit() & 0xffffffffL;
        if (!mode.is64() && offset > limit) {
            fault(13, true, 0);
        }
        long linear = mode.is64() ? offset : (vp.cs().base() + offset) & 0xffffffffL;
        if (mode.is64() && !canonical(linear)) {
            fault(13, true, 0);
        }
        int n = (int) Math.min(Math.min(8, 4096 - (linear & 4095)), MAX_FETCH - have);
        if (!mode.is64()) {
            n = (int) Math.min(n, limit - offset + 1); // never fetch a byte beyond the CS limit
        }
        boolean pg = mode.is64() || vp.eferLma();
        if (!pg && mode != CpuMode.REAL16) {
            pg = (fetchCr0() & 0x80000000L) != 0;
        }
        long gpa = pg ? translate(linear, FETCH) : linear;
        long data = memoryRead(gpa, n);
        for (int i = 0; i < n; i++) {
            bytes[have + i] = (byte) (data >>> (8 * i));
        }
        return n;
    }

    private long fetchCr0() {
        RegisterValues b = batch;
        namesInBatch = null;
        b.clear();
        b.add(Register.CR0);
        if (!invokeGet(b)) {
            fail(EmulatorStatus.GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        return b.low(0);
    }

    // ---------------------------------------------------------------- registers

    /** Marks the registers the decoded instruction reads or writes, so one get fetches all of them. */
    private void gatherRegisters() {
        DecodedInstruction d = insn;
        for (int i = 0; i < Forms.MAX_OPERANDS; i++) {
            int code = Forms.operand(d.form, i);
            if (code == 0) {
                break;
            }
            switch (method(code)) {
                case M_G: wantGpr(byteRegisterHome(d.reg, sizeOfOperand(code))); break;
                case M_E: case M_M: case M_W: case M_Q: case M_R: case M_U: case M_N:
                    if (d.mod == 3) {
                        if (method(code) == M_W || method(code) == M_U) {
                            wantXmm(d.rm);
                        } else {
                            wantGpr(byteRegisterHome(d.rm, sizeOfOperand(code)));
                        }
                    } else {
                        wantAddress(code);
                    }
                    break;
                case M_V: wantXmm(d.reg); break;
                case M_H: wantXmm(d.vexV); break;
                case M_Z: wantGpr(byteRegisterHome((d.opcode & 7) | (d.rm & 8), sizeOfOperand(code))); break;
                case M_O: wantSegment(dataSegment()); break;
                case M_X: wantGpr(6); wantSegment(dataSegment()); break;
                case M_Y: wantGpr(7); wantSegment(DecodedInstruction.ES); break;
                case M_AL: case M_AX: case M_EAX: case M_RAX: wantGpr(0); break;
                case M_CL: wantGpr(1); break;
                case M_DX: wantGpr(2); break;
                default: break;
            }
        }
        Semantics.extraRegisters(this, d);
        if (mode != CpuMode.REAL16 && !vp.eferLma()) {
            cr0Wanted = true; // protected and virtual-8086 mode: CR0.PG says whether to translate
        }
    }

    /** The register that holds byte register n: AH..BH (4-7 without REX) live in rAX..rBX. */
    private int byteRegisterHome(int n, int size) {
        return size == 1 && insn.rex == 0 && insn.vexKind == 0 && n >= 4 && n < 8 ? n - 4 : n;
    }

    public void wantGpr(int n) {
        gprWanted |= 1 << n;
    }

    public void wantXmm(int n) {
        xmmWanted |= 1 << n;
    }

    public void wantYmmHigh(int n) {
        ymmWanted |= 1 << n;
    }

    public void wantSegment(int seg) {
        if (!mode.is64() || seg >= DecodedInstruction.FS) {
            segWanted |= 1 << seg;
        }
    }

    private void wantAddress(int code) {
        DecodedInstruction d = insn;
        if (d.base >= 0 && d.base < 16) {
            wantGpr(d.base);
        }
        if (d.index >= 0) {
            wantGpr(d.index);
        }
        wantSegment(modrmSegment());
    }

    /** Gets the registers; true when the batch holds values that {@link #scatter} must still spread. */
    private boolean loadRegisters(Register[] names) {
        RegisterValues b = batch;
        if (names != null) {
            if (names.length == 0) {
                return false;
            }
            if (names != namesInBatch || b.count() != names.length) {
                b.setNames(names);
                namesInBatch = names;
            }
        } else {
            namesInBatch = null;
            buildBatch(b);
            if (b.count() == 0) {
                return false;
            }
        }
        if (!invokeSized(b, false)) {
            fail(EmulatorStatus.GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        return true;
    }

    /**
     * A fast path's get callback. The profile's names are in the batch already; {@code n}, their number as
     * a constant of the emitted code, is set again so that the JIT sees the callback's trip count.
     */
    public void fastGet(int n) {
        RegisterValues b = batch;
        b.setCount(n);
        if (!invokeGet(b)) {
            fail(EmulatorStatus.GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }

    /** Value {@code i} of the get batch: a fast path reads its registers here, in the profile's order. */
    public long batchLow(int i) {
        return batch.low(i);
    }

    private void buildBatch(RegisterValues b) {
        b.clear();
        addNames(b, gprWanted, segWanted, xmmWanted, ymmWanted, cr0Wanted);
    }

    /**
     * Appends the names of the registers in these masks in the one order every batch uses: GPRs, segments,
     * XMM, YMM upper halves, CR0, each by number. {@link #scatter}, a profile's names and the fast paths'
     * batch indexes all rely on it.
     */
    public static void addNames(RegisterValues b, int gprMask, int segMask, int xmmMask, int ymmMask, boolean cr0) {
        for (int m = gprMask; m != 0; m &= m - 1) {
            b.add(Register.gpr(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = segMask; m != 0; m &= m - 1) {
            b.add(Register.segment(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = xmmMask; m != 0; m &= m - 1) {
            b.add(Register.xmm(Integer.numberOfTrailingZeros(m)));
        }
        for (int m = ymmMask; m != 0; m &= m - 1) {
            b.add(Register.ymmHigh(Integer.numberOfTrailingZeros(m)));
        }
        if (cr0) {
            b.add(Register.CR0);
        }
    }

    /** Reads the values of a filled batch back into the register cache, in {@link #buildBatch}'s order. */
    private void scatter(RegisterValues b) {
        int i = 0;
        for (int m = gprWanted; m != 0; m &= m - 1) {
            gpr[Integer.numberOfTrailingZeros(m)] = b.low(i++);
        }
        for (int m = segWanted; m != 0; m &= m - 1) {
            int s = Integer.numberOfTrailingZeros(m);
            segBase[s] = b.low(i);
            long hi = b.high(i++);
            segLimit[s] = RegisterValues.segmentLimit(hi);
            segSelector[s] = RegisterValues.segmentSelector(hi);
            segAttr[s] = RegisterValues.segmentAttributes(hi);
        }
        for (int m = xmmWanted; m != 0; m &= m - 1) {
            int x = Integer.numberOfTrailingZeros(m);
            xmmLo[x] = b.low(i);
            xmmHi[x] = b.high(i++);
        }
        for (int m = ymmWanted; m != 0; m &= m - 1) {
            int x = Integer.numberOfTrailingZeros(m);
            ymmLo[x] = b.low(i);
            ymmHi[x] = b.high(i++);
        }
        if (cr0Wanted) {
            cr0 = b.low(i);
        }
    }

    /**
     * Sets every changed register in one batch; with {@code withRip}, RIP too, and RFLAGS if it changed.
     * Kept small so the JIT inlines it into the exit path; the rare parts are methods of their own.
     */
    private void commit(long oldFlags, boolean withRip) {
        boolean flagsChanged = rflags != oldFlags;
        long signature = gprDirty | (long) xmmDirty << 16 | (long) ymmDirty << 32 | (withRip ? 1L << 48 : 0)
            | (flagsChanged ? 1L << 49 : 0);
        RegisterValues b = setBatch;
        if (signature != setSignature) {
            layOutSetBatch(b, signature, withRip, flagsChanged);
        }
        if (b.count() == 0) {
            return;
        }
        int i = (gprDirty | xmmDirty | ymmDirty) == 0 ? 0 : fillChangedRegisters(b);
        if (withRip) {
            b.set(i++, rip, 0);
        }
        if (flagsChanged) {
            b.set(i, rflags, 0);
        }
        if (!invokeSized(b, true)) {
            fail(EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }

    /** {@link #commit} when only RIP changed and the set batch already holds just RIP. */
    private void setRip() {
        RegisterValues b = setBatch;
        b.setCount(1); // a constant for the JIT: see RegisterValues.setCount
        b.set(0, rip, 0);
        if (!invokeSet(b)) {
            fail(EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }

    /** A new combination of changed registers: lays out the set batch's names once. */
    private void layOutSetBatch(RegisterValues b, long signature, boolean withRip, boolean flagsChanged) {
        setSignature = signature;
        b.clear();
        addNames(b, gprDirty, 0, xmmDirty, ymmDirty, false);
        if (withRip) {
            b.add(Register.RIP);
        }
        if (flagsChanged) {
            b.add(Register.RFLAGS);
        }
    }

    /** Puts the values of the changed GPRs, XMM and YMM halves in the set batch; returns the next index. */
    private int fillChangedRegisters(RegisterValues b) {
        int i = 0;
        for (int m = gprDirty; m != 0; m &= m - 1) {
            b.set(i++, gpr[Integer.numberOfTrailingZeros(m)], 0);
        }
        for (int m = xmmDirty; m != 0; m &= m - 1) {
            int x = Integer.numberOfTrailingZeros(m);
            b.set(i++, xmmLo[x], xmmHi[x]);
        }
        for (int m = ymmDirty; m != 0; m &= m - 1) {
            int x = Integer.numberOfTrailingZeros(m);
            b.set(i++, ymmLo[x], ymmHi[x]);
        }
        return i;
    }

    /** SS.B: a 32-bit stack outside 64-bit mode. */
    public boolean stackIs32() {
        return (segAttr[DecodedInstruction.SS] & 0x4000) != 0;
    }

    public long gpr(int n) {
        return gpr[n];
    }

    /** Writes a whole 64-bit register. */
    public void setGpr(int n, long value) {
        gpr[n] = value;
        gprDirty |= 1 << n;
    }

    /** Reads general register {@code n} at {@code size} bytes; byte registers 4-7 are AH-BH without REX. */
    public long readGpr(int n, int size) {
        switch (size) {
            case 1:
                if (insn.rex == 0 && insn.vexKind == 0 && n >= 4 && n < 8) {
                    return (gpr[n - 4] >>> 8) & 0xff;
                }
                return gpr[n] & 0xff;
            case 2: return gpr[n] & 0xffff;
            case 4: return gpr[n] & 0xffffffffL;
            default: return gpr[n];
        }
    }

    /** Writes general register {@code n} at {@code size} bytes: 8/16-bit writes merge, 32-bit writes zero-extend. */
    public void writeGpr(int n, int size, long value) {
        switch (size) {
            case 1:
                if (insn.rex == 0 && insn.vexKind == 0 && n >= 4 && n < 8) {
                    setGpr(n - 4, (gpr[n - 4] & ~0xff00L) | ((value & 0xff) << 8));
                } else {
                    setGpr(n, (gpr[n] & ~0xffL) | (value & 0xff));
                }
                break;
            case 2: setGpr(n, (gpr[n] & ~0xffffL) | (value & 0xffff)); break;
            case 4: setGpr(n, value & 0xffffffffL); break;
            default: setGpr(n, value); break;
        }
    }

    public long xmmLo(int n) {
        return xmmLo[n];
    }

    public long xmmHi(int n) {
        return xmmHi[n];
    }

    public void setXmm(int n, long lo, long hi) {
        xmmLo[n] = lo;
        xmmHi[n] = hi;
        xmmDirty |= 1 << n;
    }

    public long ymmLo(int n) {
        return ymmLo[n];
    }

    public long ymmHi(int n) {
        return ymmHi[n];
    }

    public void setYmmHigh(int n, long lo, long hi) {
        ymmLo[n] = lo;
        ymmHi[n] = hi;
        ymmDirty |= 1 << n;
    }

    /** Replaces the status flags under {@code written}; other bits keep their values. */
    public void setFlags(int newFlags, int written) {
        rflags = (rflags & ~(long) written) | (newFlags & written);
    }

    /** CF as 0 or 1, for ADC and SBB. */
    public long carry() {
        return rflags & 1;
    }

    /** SETcc's value: 1 when condition {@code cc} holds. */
    public long conditionBit(int cc) {
        return condition(cc) ? 1 : 0;
    }

    public boolean flag(int bit) {
        return (rflags & bit) != 0;
    }

    /** Condition code 0-15 against RFLAGS (SDM Vol. 1 B.1). */
    public boolean condition(int cc) {
        boolean cf = flag(ArithFlags.CF);
        boolean zf = flag(ArithFlags.ZF);
        boolean sf = flag(ArithFlags.SF);
        boolean of = flag(ArithFlags.OF);
        boolean pf = flag(ArithFlags.PF);
        boolean r;
        switch (cc >> 1) {
            case 0: r = of; break;
            case 1: r = cf; break;
            case 2: r = zf; break;
            case 3: r = cf || zf; break;
            case 4: r = sf; break;
            case 5: r = pf; break;
            case 6: r = sf != of; break;
            default: r = zf || sf != of; break;
        }
        return (cc & 1) != 0 ? !r : r;
    }

    /**
     * Writes the low {@code addressSize} bytes of a register used as an address or count (rSI, rDI, rCX
     * of string instructions): a 32-bit write zero-extends, a 16-bit write merges, as for any GPR write.
     */
    public void writeAddressRegister(int n, long value) {
        writeGpr(n, insn.addressSize, value);
    }

    /** Records REP progress: these registers are written even if a later iteration faults. */
    public void commitProgress() {
        committedGprMask = gprDirty;
        committedFlags = rflags;
        System.arraycopy(gpr, 0, committedGpr, 0, 16);
    }

    // ---------------------------------------------------------------- operands

    public int sizeOfOperand(int code) {
        return sizeOfOperand(insn, code);
    }

    /** Size in bytes of operand {@code code} of instruction {@code d} (0 when it has none of its own). */
    public static int sizeOfOperand(DecodedInstruction d, int code) {
        return d.operandBytes(code);
    }

    /** Whether operand {@code code} lives in memory for this instruction. */
    public boolean isMemory(int code) {
        switch (method(code)) {
            case M_M: case M_O: case M_X: case M_Y: return true;
            case M_E: case M_W: case M_Q: return insn.mod != 3;
            default: return false;
        }
    }

    /** Reads an integer operand of at most 8 bytes (immediates come zero-extended from their size). */
    public long read(int code, int kind) {
        DecodedInstruction d = insn;
        int size = sizeOfOperand(code);
        switch (method(code)) {
            case M_E: case M_R:
                if (d.mod == 3) {
                    return readGpr(d.rm, size);
                }
                return readMemory(modrmSegment(), effectiveAddress(), size, kind);
            case M_M:
                return readMemory(modrmSegment(), effectiveAddress(), size, kind);
            case M_G: return readGpr(d.reg, size);
            case M_Z: return readGpr((d.opcode & 7) | (d.rm & 8), size);
            case M_I: return immediate(d, code);
            case M_O: return readMemory(dataSegment(), d.imm, size, kind);
            case M_AL: case M_AX: case M_EAX: case M_RAX: return readGpr(0, size);
            case M_CL: return readGpr(1, 1);
            case M_DX: return readGpr(2, 2);
            case M_ONE: return 1;
            default: throw new IllegalStateException("operand " + token(code) + " of " + Forms.name(d.form));
        }
    }

    /** An immediate operand's value: Ibs and Iz sign-extended for the caller to cut, others zero-extended. */
    public static long immediate(DecodedInstruction d, int code) {
        return size(code) == S_BS || size(code) == S_Z ? d.imm : d.imm & ArithFlags.mask(sizeOfOperand(d, code));
    }

    /** Writes an integer operand; a memory destination must have been checked by a READ/RMW read or is checked here. */
    public void write(int code, long value) {
        DecodedInstruction d = insn;
        int size = sizeOfOperand(code);
        switch (method(code)) {
            case M_E: case M_R:
                if (d.mod == 3) {
                    writeGpr(d.rm, size, value);
                } else {
                    writeMemory(modrmSegment(), effectiveAddress(), size, value);
                }
                break;
            case M_M: writeMemory(modrmSegment(), effectiveAddress(), size, value); break;
            case M_G: writeGpr(d.reg, size, value); break;
            case M_Z: writeGpr((d.opcode & 7) | (d.rm & 8), size, value); break;
            case M_O: writeMemory(dataSegment(), d.imm, size, value); break;
            case M_AL: case M_AX: case M_EAX: case M_RAX: writeGpr(0, size, value); break;
            default: throw new IllegalStateException("operand " + token(code) + " of " + Forms.name(d.form));
        }
    }

    /** The segment of a ModRM memory operand: the override, else SS for rBP/rSP bases, else DS. */
    public int modrmSegment() {
        return modrmSegment(insn);
    }

    public static int modrmSegment(DecodedInstruction d) {
        if (d.segmentOverride >= 0) {
            return d.segmentOverride;
        }
        if (d.base == 4 || d.base == 5) {
            return DecodedInstruction.SS;
        }
        return DecodedInstruction.DS;
    }

    /** The segment of a data operand without ModRM (moffs, DS:rSI): the override or DS. */
    public int dataSegment() {
        return dataSegment(insn);
    }

    public static int dataSegment(DecodedInstruction d) {
        return d.segmentOverride >= 0 ? d.segmentOverride : DecodedInstruction.DS;
    }

    /**
     * The ModRM effective address (an offset within the segment), truncated to the address size. Computed
     * once per instruction: a register the instruction writes (XADD's source, say) must not move the
     * address of a later access.
     */
    public long effectiveAddress() {
        if (eaKnown) {
            return ea;
        }
        DecodedInstruction d = insn;
        long ea = d.disp;
        if (d.base == DecodedInstruction.RIP) {
            ea += nextRip();
        } else if (d.base >= 0) {
            ea += gpr[d.base];
        }
        if (d.index >= 0) {
            ea += gpr[d.index] << d.scale;
        }
        this.ea = ea & ArithFlags.mask(d.addressSize);
        eaKnown = true;
        return this.ea;
    }

    // ---------------------------------------------------------------- memory

    /** Reads {@code size} (1-8) bytes at seg:offset. {@code kind} READ, or RMW to validate the later write too. */
    public long readMemory(int seg, long offset, int size, int kind) {
        long linear = linearAddress(seg, offset, size, kind);
        return readLinear(linear, size, kind);
    }

    public void writeMemory(int seg, long offset, int size, long value) {
        long linear = linearAddress(seg, offset, size, WRITE);
        writeLinear(linear, size, value);
    }

    /**
     * Reads 16 or 32 bytes into {@code out} (little-endian longs). The operand is split at a page boundary
     * first, then each part into accesses of at most 8 bytes from its start, lowest address first (the
     * order KVM's emulator uses; the processor does not expose its own).
     */
    public void readVector(int seg, long offset, int size, long[] out) {
        long linear = linearAddress(seg, offset, size, READ);
        translateIfPaging(linear, size, READ);
        byte[] v = vectorBytes;
        for (int pos = 0; pos < size; ) {
            long at = wrapLinear(linear + pos);
            int n = (int) Math.min(Math.min(8, size - pos), 4096 - (at & 4095));
            long data = readLinear(at, n, READ);
            for (int i = 0; i < n; i++) {
                v[pos + i] = (byte) (data >>> (8 * i));
            }
            pos += n;
        }
        for (int lane = 0; lane < size / 8; lane++) {
            out[lane] = (long) LONGS.get(v, lane * 8);
        }
    }

    public void writeVector(int seg, long offset, int size, long[] in) {
        long linear = linearAddress(seg, offset, size, WRITE);
        translateIfPaging(linear, size, WRITE);
        byte[] v = vectorBytes;
        for (int lane = 0; lane < size / 8; lane++) {
            LONGS.set(v, lane * 8, in[lane]);
        }
        for (int pos = 0; pos < size; ) {
            long at = wrapLinear(linear + pos);
            int n = (int) Math.min(Math.min(8, size - pos), 4096 - (at & 4095));
            long data = 0;
            for (int i = n - 1; i >= 0; i--) {
                data = (data << 8) | (v[pos + i] & 0xff);
            }
            writeLinear(at, n, data);
            pos += n;
        }
    }

    boolean pagingOn() {
        return paging;
    }

    long wrap(long linear) {
        return wrapLinear(linear);
    }

    private long wrapLinear(long linear) {
        return mode.is64() ? linear : linear & 0xffffffffL;
    }

    /** Translates every page of [linear, linear+size) for {@code kind} before any device sees an access. */
    public void translateIfPaging(long linear, int size, int kind) {
        if (!paging) {
            return;
        }
        long last = wrapLinear(linear + size - 1);
        translate(linear, kind);
        if ((last & ~4095L) != (linear & ~4095L)) {
            translate(last & ~4095L, kind);
        }
    }

    public long readLinear(long linear, int size, int kind) {
        long first = 4096 - (linear & 4095);
        if (first >= size) {
            long gpa = paging ? translate(linear, kind) : linear;
            return memoryRead(gpa, size);
        }
        int n1 = (int) first;
        long gpa1 = paging ? translate(linear, kind) : linear;
        long second = wrapLinear(linear + n1);
        long gpa2 = paging ? translate(second, kind) : second;
        long lo = memoryRead(gpa1, n1);
        long hi = memoryRead(gpa2, size - n1);
        return lo | (hi << (8 * n1));
    }

    public void writeLinear(long linear, int size, long value) {
        long first = 4096 - (linear & 4095);
        if (first >= size) {
            long gpa = paging ? translate(linear, WRITE) : linear;
            memoryWrite(gpa, size, value);
            return;
        }
        int n1 = (int) first;
        long second = wrapLinear(linear + n1);
        // Both pages are translated before either part is written: a fault on the second page must
        // not leave the first page's device half-written.
        long gpa1 = paging ? translate(linear, WRITE) : linear;
        long gpa2 = paging ? translate(second, WRITE) : second;
        memoryWrite(gpa1, n1, value);
        memoryWrite(gpa2, size - n1, value >>> (8 * n1));
    }

    /**
     * The linear address of seg:offset after the segmentation checks of the mode (limits, types, null
     * segments, canonical form), the alignment check and the form's alignment requirement.
     */
    public long linearAddress(int seg, long offset, int size, int kind) {
        long linear;
        if (mode.is64()) {
            linear = offset + (seg >= DecodedInstruction.FS ? segBase[seg] : 0);
            long last = linear + size - 1;
            if (!canonical(linear) || !canonical(last)) {
                fault(seg == DecodedInstruction.SS ? 12 : 13, true, 0);
            }
        } else {
            checkSegment(seg, offset, size, kind);
            linear = (segBase[seg] + offset) & 0xffffffffL;
        }
        int align = Forms.align(insn.form);
        if (align != 0 && size >= align && (linear & (align - 1)) != 0) {
            fault(13, true, 0);
        }
        // Alignment check: natural alignment up to 16 bytes; 32-byte accesses need 16 too (measured on
        // the processor: VMOVDQU ymm at offset 16 completes, at offset 8 raises #AC).
        if (size > 1 && cpl == 3 && vp.cr0Am() && (rflags & ArithFlags.AC) != 0
            && (linear & (Math.min(size, 16) - 1)) != 0) {
            fault(17, true, 0);
        }
        return linear;
    }

    private void checkSegment(int seg, long offset, int size, int kind) {
        int faultVector = seg == DecodedInstruction.SS ? 12 : 13;
        long limit = segLimit[seg] & 0xffffffffL;
        long last = offset + size - 1;
        if (mode.isRealAddressing()) {
            if (last > limit) {
                fault(faultVector, true, 0); // error code 0 in virtual-8086 mode; fault() drops it in real mode
            }
            return;
        }
        int attr = segAttr[seg];
        if ((attr & 0x80) == 0) { // not present: a null or unusable segment
            fault(faultVector, true, 0);
        }
        int type = attr & 0xf;
        boolean code = (type & 8) != 0;
        if (code) {
            if ((kind & WRITE) != 0 || (kind & READ) != 0 && (type & 2) == 0) {
                fault(faultVector, true, 0);
            }
        } else if ((kind & WRITE) != 0 && (type & 2) == 0) {
            fault(faultVector, true, 0);
        }
        if (!code && (type & 4) != 0) {
            long upper = (attr & 0x4000) != 0 ? 0xffffffffL : 0xffffL;
            if (offset <= limit || last > upper) {
                fault(faultVector, true, 0);
            }
        } else if (last > limit) {
            fault(faultVector, true, 0);
        }
    }

    static boolean canonical(long a) {
        return (a >> 47) == 0 || (a >> 47) == -1;
    }

    /** The GPA of {@code linear} for an access of {@code kind}: see {@link PageTranslator#translate}. */
    public long translate(long linear, int kind) {
        return pages.translate(linear, kind);
    }

    private long memoryRead(long gpa, int size) {
        MemoryAccess a = memAccess;
        a.set(gpa, false, size, 0);
        if (!invokeMemory(a)) {
            fail(EmulatorStatus.MEMORY_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        return a.data() & ArithFlags.mask(size);
    }

    private void memoryWrite(long gpa, int size, long value) {
        MemoryAccess a = memAccess;
        a.set(gpa, true, size, value & ArithFlags.mask(size));
        if (!invokeMemory(a)) {
            fail(EmulatorStatus.MEMORY_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }

    // ---------------------------------------------------------------- fast paths for specialized handlers

    /** The value the last fast load read. */
    public long fastValue;
    private long fastGpa;

    /** A store to a flat 64-bit linear address; false (nothing done) when the general path is needed. */
    public boolean fastStore64(long linear, int size, long value) {
        if (!fastAddressOk(linear, size) || !exitAllows(WRITE)) {
            return false;
        }
        long gpa = pages.translateOnce(linear, WRITE);
        if (!exitCovers(gpa, size)) {
            pages.remember(linear & ~4095L, WRITE, gpa & ~4095L); // the general path must not translate again
            return false;
        }
        memoryWrite(gpa, size, value);
        return true;
    }

    /** A load (kind READ) or the read half of a read-modify-write (kind RMW) into {@link #fastValue}. */
    public boolean fastLoad64(long linear, int size, int kind) {
        if (!fastAddressOk(linear, size) || !exitAllows(kind)) {
            return false;
        }
        long gpa = pages.translateOnce(linear, kind);
        if (!exitCovers(gpa, size)) {
            pages.remember(linear & ~4095L, kind, gpa & ~4095L); // the general path must not translate again
            return false;
        }
        fastGpa = gpa;
        fastValue = memoryRead(gpa, size);
        return true;
    }

    /** The write half of a read-modify-write whose read was {@link #fastLoad64} with RMW. */
    public void fastWriteBack(int size, long value) {
        memoryWrite(fastGpa, size, value);
    }

    private boolean fastAddressOk(long linear, int size) {
        // Within one page the last byte is canonical when the first is: the canonical boundaries are
        // page-aligned.
        return (linear & 4095) + size <= 4096 && canonical(linear)
            && (cpl != 3 || !vp.cr0Am() || (rflags & ArithFlags.AC) == 0 || (linear & (size - 1)) == 0);
    }

    /**
     * Whether the exit's direction allows an access of {@code kind}. Checked before translating, as the
     * general path's exit verification does: a mismatch must not turn into a page fault.
     */
    private boolean exitAllows(int kind) {
        if (!verifyExits) {
            return true;
        }
        MmioAccessContext m = mmioContext;
        if (m == null) {
            return false;
        }
        int type = m.accessType();
        return type == MmioAccessContext.EXECUTE || (kind & (type == MmioAccessContext.WRITE ? WRITE : READ)) != 0;
    }

    /** Whether the translated access [gpa, gpa+size) contains the exit's GPA. */
    private boolean exitCovers(long gpa, int size) {
        if (!verifyExits || mmioContext.accessType() == MmioAccessContext.EXECUTE) {
            return true;
        }
        long g = mmioContext.gpa();
        return g >= gpa && g < gpa + size;
    }

    // ---------------------------------------------------------------- ports

    /**
     * Whether a fast path may make this port access: in 64-bit mode (there is no virtual-8086 mode) only
     * CPL > IOPL needs the general path's #GP, and the exit must report exactly this access (else the
     * general path reports the mismatch).
     */
    public boolean fastPortOk(int port, int size, boolean write) {
        if (cpl > ((int) (rflags >> 12) & 3)) {
            return false;
        }
        if (!verifyExits) {
            return true;
        }
        return ioContext != null && ExitConsistency.reports(ioContext, write, size, port, false);
    }

    public long portRead(int port, int size) {
        IoPortAccess a = ioAccess;
        a.set(port & 0xffff, false, size, 0);
        if (!invokeIo(a)) {
            fail(EmulatorStatus.IO_PORT_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
        return a.data() & ArithFlags.mask(size);
    }

    public void portWrite(int port, int size, long value) {
        IoPortAccess a = ioAccess;
        a.set(port & 0xffff, true, size, (int) (value & ArithFlags.mask(size)));
        if (!invokeIo(a)) {
            fail(EmulatorStatus.IO_PORT_CALLBACK_FAILED, EmulatorStatus.Reason.CALLBACK_FAILED);
        }
    }

    /**
     * The I/O permission check of SDM Vol. 1 19.5: with CPL > IOPL (or in virtual-8086 mode) the TSS
     * permission bitmap decides; hvex cannot read it through these callbacks and refuses with #GP(0),
     * which is what a TSS without a bitmap gives.
     */
    public void checkIoPermission() {
        int iopl = (int) (rflags >> 12) & 3;
        if (mode != CpuMode.REAL16 && (cpl > iopl || mode == CpuMode.VM86)) {
            fault(13, true, 0);
        }
    }

    public IoPortAccessContext ioContext() {
        return ioContext;
    }

    // ---------------------------------------------------------------- outcomes

    /** Ends the emulation with an exception to inject. */
    public void fault(int vector, boolean errorCode, int code) {
        if (mode == CpuMode.REAL16) {
            errorCode = false; // real mode pushes no error codes
            code = 0;
        }
        Outcome o = outcome;
        o.vector = vector;
        o.hasErrorCode = errorCode;
        o.errorCode = code;
        if (vector != 14) {
            o.cr2 = 0;
        }
        // WHv's emulator cannot deliver exceptions and says GuestCannotBeFaulted; hvex says so too, and
        // adds which exception the VMM should inject.
        o.bits = EmulatorStatus.EXCEPTION_PENDING | EmulatorStatus.GUEST_CANNOT_BE_FAULTED;
        stats.faults++;
        if (committedGprMask != 0) {
            // Completed REP iterations stay done: write their register progress, RIP unchanged.
            // The flags of the last completed CMPS/SCAS iteration stay too, as the processor leaves them.
            gprDirty = committedGprMask;
            System.arraycopy(committedGpr, 0, gpr, 0, 16);
            xmmDirty = 0;
            ymmDirty = 0;
            committedGprMask = 0;
            rflags = committedFlags;
            commit(vp.rflags(), false);
        }
        throw Abort.INSTANCE;
    }

    /** Ends the emulation with a failure status; the guest's registers stay as they were. */
    public void fail(int bits, EmulatorStatus.Reason reason) {
        Outcome o = outcome;
        o.bits = bits;
        o.reason = reason;
        o.vector = -1; // a fault whose REP-progress commit failed ends here too: no exception to inject
        o.hasErrorCode = false;
        o.errorCode = 0;
        o.cr2 = 0;
        stats.failures++;
        throw Abort.INSTANCE;
    }

    private boolean invokeGet(RegisterValues b) {
        try {
            return callbacks.getRegisters(context, b);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The get ({@code set} false) or set callback, with the batch size re-asserted as a constant in the
     * common cases: each case inlines the VMM's callback with a trip count the JIT can see (see
     * {@link RegisterValues#setCount}). {@code set} is a constant at every call site, so the JIT keeps one
     * callback per case.
     */
    private boolean invokeSized(RegisterValues b, boolean set) {
        switch (b.count()) {
            case 1:
                b.setCount(1);
                return set ? invokeSet(b) : invokeGet(b);
            case 2:
                b.setCount(2);
                return set ? invokeSet(b) : invokeGet(b);
            case 3:
                b.setCount(3);
                return set ? invokeSet(b) : invokeGet(b);
            default:
                return set ? invokeSet(b) : invokeGet(b);
        }
    }

    private boolean invokeSet(RegisterValues b) {
        try {
            return callbacks.setRegisters(context, b);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean invokeMemory(MemoryAccess a) {
        try {
            return callbacks.memory(context, a);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean invokeIo(IoPortAccess a) {
        try {
            return callbacks.ioPort(context, a);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
