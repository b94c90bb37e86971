package dev.hvex.bench;

import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.GvaTranslation;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.jit.HandlerCache;
import dev.hvex.jit.Profile;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot MMIO store {@code mov [rdi+8], eax} (89 47 08) in 64-bit mode with paging: the interpreter,
 * the specialized handler, and {@link #ideal}, a hand-written handler doing only the work this callback
 * API makes unavoidable. All three in one class so that one run compares them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class HotStoreBench {
    static final long VALUE = 0x1234_5678L;
    /** RDI: the MMIO page (through the GVA table) plus 0x100, so [rdi+8] is device register 0x108. */
    static final long RDI = BenchVmm.MMIO_GVA + 0x100;

    BenchVmm vmm;
    /** The VMM as the emulator sees it: through the interface. */
    EmulatorCallbacks callbacks;
    final Object vcpu = new Object();
    VpExitContext vp;
    MmioAccessContext access;
    Emulator interpreted;
    Emulator specialized;
    Emulator specializedUnverified;
    HandlerCache cache;

    // The ideal handler's reusable objects.
    final RegisterValues idealRegs = new RegisterValues(4);
    final GvaTranslation idealTranslation = new GvaTranslation();
    final MemoryAccess idealAccess = new MemoryAccess();

    @Setup(Level.Trial)
    public void setup() {
        vmm = Exits.long64Vmm().set(Register.RDI, RDI).set(Register.RAX, 0xdead_0000_0000_0000L | VALUE);
        callbacks = vmm;
        vp = Exits.long64();
        access = Exits.mmio("894708", MmioAccessContext.WRITE, BenchVmm.MMIO_GPA + 0x108, RDI + 8);
        interpreted = Emulator.create(vmm, EmulatorOptions.defaults().withSpecialize(false));
        cache = new HandlerCache(64);
        specialized = Emulator.create(vmm, EmulatorOptions.defaults().withCache(cache).withSpecializeThreshold(0));
        specializedUnverified = Emulator.create(vmm,
            EmulatorOptions.defaults().withCache(cache).withSpecializeThreshold(0).withVerifyExits(false));

        // Each variant must do the same thing: one 4-byte MMIO write of EAX, RIP + 3.
        for (int variant = 0; variant < 4; variant++) {
            vmm.device[0x108 >>> 3] = 0;
            vmm.set(Register.RIP, 0);
            long before = vmm.mmioWrites;
            int bits = variant == 0 ? interpreted() : variant == 1 ? specialized() : variant == 2 ? ideal()
                : specializedUnverified();
            Exits.check(bits == 1, "variant " + variant + " returned status bits " + bits);
            Exits.check(vmm.mmioWrites == before + 1, "variant " + variant + ": one MMIO write expected");
            Exits.check(vmm.device[0x108 >>> 3] == VALUE, "variant " + variant + ": wrong value stored");
            Exits.check(vmm.get(Register.RIP) == Exits.RIP + 3, "variant " + variant + ": RIP not advanced");
        }
        specialized();
        Exits.check(specialized.stats().cachedRuns >= 1, "the specialized emulator did not run its cached handler");
        Profile p = cache.lookup(vp.mode(), HandlerCache.keyLow(access.instructionBytes(), 16),
            HandlerCache.keyHigh(access.instructionBytes(), 16), 16);
        Exits.check(p != null && p.handler != null && p.handler.getClass().isHidden(),
            "no hidden-class handler for mov [rdi+8], eax");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        interpreted.close();
        specialized.close();
        specializedUnverified.close();
    }

    /** Decode, gather registers, interpret: what every exit costs with specialization off. */
    @Benchmark
    public int interpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, access).bits();
    }

    /** Cache lookup on the 16 exit bytes, then the specialized hidden-class handler. */
    @Benchmark
    public int specialized() {
        return specialized.tryMmioEmulation(vcpu, vp, access).bits();
    }

    /**
     * {@link #specialized} without the exit-consistency check ({@code withVerifyExits(false)}: the check that
     * the instruction's operand covers the reported GPA), to show what that check costs.
     */
    @Benchmark
    public int specializedUnverified() {
        return specializedUnverified.tryMmioEmulation(vcpu, vp, access).bits();
    }

    /**
     * One part of {@link #specialized}: the handler-cache lookup on the exit's 16 bytes that every exit
     * pays before anything else (not a full emulation; shown to apportion the gap to {@link #ideal}).
     */
    @Benchmark
    public Profile lookupOnly() {
        byte[] b = access.instructionBytes();
        int n = access.instructionByteCount();
        return cache.lookup(vp.mode(), HandlerCache.keyLow(b, n), HandlerCache.keyHigh(b, n), n);
    }

    /**
     * {@link #ideal} behind a call the JIT may not inline, as a VMM's exit loop calls its handler: JMH
     * inlines a benchmark method into its measuring loop, where a newer JIT (JDK 25) overlaps the ideal's
     * iterations and folds its constant register names; the emulator is always called. Context only: the
     * target compares with {@link #ideal}.
     */
    @Benchmark
    public int idealCalled() {
        return idealHandler();
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private int idealHandler() {
        return ideal();
    }

    /**
     * The floor of the API: one batched get of RDI and RAX, one translation of the target page, one
     * memory callback, one set of RIP. No decoding, no checks beyond the callbacks' results.
     */
    @Benchmark
    public int ideal() {
        EmulatorCallbacks cb = callbacks;
        RegisterValues r = idealRegs;
        r.clear();
        r.add(Register.RDI);
        r.add(Register.RAX);
        if (!cb.getRegisters(vcpu, r)) {
            return 1 << 6;
        }
        long ea = r.low(0) + 8;
        long value = r.low(1) & 0xffff_ffffL;
        GvaTranslation t = idealTranslation;
        if (!cb.translateGvaPage(vcpu, ea & ~4095L, GvaTranslation.VALIDATE_WRITE, t)
            || t.resultCode() != GvaTranslation.SUCCESS) {
            return 1 << 4;
        }
        MemoryAccess m = idealAccess;
        m.set(t.gpaPage() | (ea & 4095), true, 4, value);
        if (!cb.memory(vcpu, m)) {
            return 1 << 3;
        }
        r.clear();
        r.add(Register.RIP, vp.rip() + 3, 0);
        if (!cb.setRegisters(vcpu, r)) {
            return 1 << 7;
        }
        return 1;
    }
}
