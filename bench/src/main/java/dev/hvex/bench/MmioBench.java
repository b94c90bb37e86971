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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Other hot MMIO exits in 64-bit mode with paging, each interpreted (specialization off) and cached
 * (threshold 0: a hidden-class handler where the family has an emitter, else the cached decode with
 * the interpreter's semantics):
 * <ul>
 *   <li>load {@code mov eax, [rdi+8]} (8B 47 08)</li>
 *   <li>read-modify-write {@code add [rbx], ecx} (01 0B)</li>
 *   <li>vector store {@code movdqu [rax], xmm0} (F3 0F 7F 00): two 8-byte device writes</li>
 *   <li>{@code rep movsd} (F3 A5), RCX = 64, RAM to device: 64 RAM reads and 64 device writes; RCX, RSI
 *       and RDI are reset before each op</li>
 * </ul>
 * {@link #idealLoad} is the API floor for the load, as {@link HotStoreBench#ideal} is for the store.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MmioBench {
    static final long RDI = BenchVmm.MMIO_GVA + 0x100;
    static final long RBX = BenchVmm.MMIO_GVA + 0x180;
    static final long RAX_VEC = BenchVmm.MMIO_GVA + 0x200;
    static final long MOVS_SRC = 0x8000;
    static final long MOVS_DST = BenchVmm.MMIO_GVA + 0x400;
    static final int MOVS_COUNT = 64;

    BenchVmm vmm;
    EmulatorCallbacks callbacks;
    final Object vcpu = new Object();
    VpExitContext vp;
    MmioAccessContext load;
    MmioAccessContext rmw;
    MmioAccessContext movdqu;
    MmioAccessContext movsd;
    Emulator interpreted;
    Emulator cached;
    int rcx;
    int rsi;
    int rdi;

    final RegisterValues idealRegs = new RegisterValues(4);
    final GvaTranslation idealTranslation = new GvaTranslation();
    final MemoryAccess idealAccess = new MemoryAccess();

    @Setup(Level.Trial)
    public void setup() {
        vmm = Exits.long64Vmm()
            .set(Register.RDI, RDI).set(Register.RBX, RBX).set(Register.RCX, 3).set(Register.RAX, RAX_VEC);
        vmm.lo[Register.XMM0.ordinal()] = 0x0706_0504_0302_0100L;
        vmm.hi[Register.XMM0.ordinal()] = 0x0f0e_0d0c_0b0a_0908L;
        for (int i = 0; i < 4 * MOVS_COUNT; i++) {
            vmm.ram[(int) MOVS_SRC + i] = (byte) i;
        }
        vmm.device[0x108 >>> 3] = 0x1111_2222L;
        callbacks = vmm;
        vp = Exits.long64();
        load = Exits.mmio("8b4708", MmioAccessContext.READ, BenchVmm.MMIO_GPA + 0x108, RDI + 8);
        rmw = Exits.mmio("010b", MmioAccessContext.READ, BenchVmm.MMIO_GPA + 0x180, RBX);
        movdqu = Exits.mmio("f30f7f00", MmioAccessContext.WRITE, BenchVmm.MMIO_GPA + 0x200, RAX_VEC);
        movsd = Exits.mmio("f3a5", MmioAccessContext.WRITE, BenchVmm.MMIO_GPA + 0x400, MOVS_DST);
        interpreted = Emulator.create(vmm, EmulatorOptions.defaults().withSpecialize(false));
        cached = Emulator.create(vmm,
            EmulatorOptions.defaults().withCache(new HandlerCache(64)).withSpecializeThreshold(0));

        for (Emulator e : new Emulator[] {interpreted, cached, cached}) {
            vmm.set(Register.RAX, RAX_VEC);
            Exits.check(e.tryMmioEmulation(vcpu, vp, load), "load");
            Exits.check(vmm.get(Register.RAX) == 0x1111_2222L, "load: wrong EAX");
            long before = vmm.mmioAccesses();
            vmm.set(Register.RAX, RAX_VEC);
            Exits.check(e.tryMmioEmulation(vcpu, vp, rmw), "add");
            Exits.check(vmm.mmioAccesses() == before + 2, "add: one read and one write expected");
            before = vmm.mmioWrites;
            Exits.check(e.tryMmioEmulation(vcpu, vp, movdqu), "movdqu");
            Exits.check(vmm.mmioWrites == before + 2, "movdqu: two 8-byte writes expected");
            Exits.check(vmm.device[0x208 >>> 3] == 0x0f0e_0d0c_0b0a_0908L, "movdqu: wrong high half");
            before = vmm.mmioWrites;
            Exits.check(movsd(e) == 1, "rep movsd");
            Exits.check(vmm.mmioWrites == before + MOVS_COUNT, "rep movsd: 64 device writes expected");
            Exits.check(vmm.get(Register.RCX) == 0 && vmm.get(Register.RIP) == Exits.RIP + 2, "rep movsd: not done");
            Exits.check(vmm.device[(0x400 >>> 3) + 31] == 0xfffe_fdfcL, "rep movsd: wrong last dword");
        }
        vmm.set(Register.RAX, RAX_VEC);
        long runs = cached.stats().cachedRuns;
        Exits.check(runs >= 4, "the cached emulator ran " + runs + " cached handlers, expected >= 4");
    }

    private int movsd(Emulator e) {
        long[] lo = vmm.lo;
        lo[Register.RCX.ordinal()] = MOVS_COUNT;
        lo[Register.RSI.ordinal()] = MOVS_SRC;
        lo[Register.RDI.ordinal()] = MOVS_DST;
        int bits = e.tryMmioEmulation(vcpu, vp, movsd).bits();
        lo[Register.RDI.ordinal()] = RDI;
        return bits;
    }

    @Benchmark
    public int loadInterpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, load).bits();
    }

    @Benchmark
    public int loadCached() {
        return cached.tryMmioEmulation(vcpu, vp, load).bits();
    }

    @Benchmark
    public int rmwInterpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, rmw).bits();
    }

    @Benchmark
    public int rmwCached() {
        return cached.tryMmioEmulation(vcpu, vp, rmw).bits();
    }

    @Benchmark
    public int movdquInterpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, movdqu).bits();
    }

    @Benchmark
    public int movdquCached() {
        return cached.tryMmioEmulation(vcpu, vp, movdqu).bits();
    }

    @Benchmark
    public int repMovsdInterpreted() {
        return movsd(interpreted);
    }

    @Benchmark
    public int repMovsdCached() {
        return movsd(cached);
    }

    /** The API floor for the load: get RDI, translate, one memory read, set RAX and RIP. */
    @Benchmark
    public int idealLoad() {
        EmulatorCallbacks cb = callbacks;
        RegisterValues r = idealRegs;
        r.clear();
        r.add(Register.RDI);
        if (!cb.getRegisters(vcpu, r)) {
            return 1 << 6;
        }
        long ea = r.low(0) + 8;
        GvaTranslation t = idealTranslation;
        if (!cb.translateGvaPage(vcpu, ea & ~4095L, GvaTranslation.VALIDATE_READ, t)
            || t.resultCode() != GvaTranslation.SUCCESS) {
            return 1 << 4;
        }
        MemoryAccess m = idealAccess;
        m.set(t.gpaPage() | (ea & 4095), false, 4, 0);
        if (!cb.memory(vcpu, m)) {
            return 1 << 3;
        }
        r.clear();
        r.add(Register.RAX, m.data() & 0xffff_ffffL, 0);
        r.add(Register.RIP, vp.rip() + 3, 0);
        if (!cb.setRegisters(vcpu, r)) {
            return 1 << 7;
        }
        return 1;
    }
}
