package dev.hvex.bench;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.MmioAccessContext;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What specializing one instruction costs (ASM emission, hidden-class definition, verification and
 * the first, interpreted-by-the-JVM run of the handler). Each specializing benchmark has a baseline
 * doing the same work with a threshold that is never reached; the difference is the specialization.
 * <ul>
 *   <li>{@link #freshCacheSpecialize}: a new 2-entry cache and emulator per op, threshold 0, one exit of
 *       {@code mov [rdi+8], eax};</li>
 *   <li>{@link #streamSpecialize}: one emulator and a 4096-entry cache, threshold 0, the mixed stream of
 *       distinct instructions of {@link ColdPathBench}: every exit specializes a new handler.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SpecializeBench {
    BenchVmm vmm;
    final Object vcpu = new Object();
    VpExitContext vp;
    MmioAccessContext store;
    EmulatorOptions specializeNow;
    EmulatorOptions never;
    InstructionStream stream;
    HandlerCache streamCache;
    Emulator streamSpecializing;
    Emulator streamNever;

    @Setup(Level.Trial)
    public void setup() {
        vmm = Exits.long64Vmm();
        InstructionStream.prepare(vmm);
        vp = Exits.long64();
        store = Exits.mmio("894708", MmioAccessContext.WRITE, InstructionStream.RDI + 8, InstructionStream.RDI + 8);
        specializeNow = EmulatorOptions.defaults().withSpecializeThreshold(0);
        never = EmulatorOptions.defaults().withSpecializeThreshold(Integer.MAX_VALUE);
        stream = InstructionStream.mixed();
        streamCache = new HandlerCache(4096);
        streamSpecializing = Emulator.create(vmm, specializeNow.withCache(streamCache));
        streamNever = Emulator.create(vmm, never.withCache(new HandlerCache(4096)));
        Exits.check(freshCacheSpecialize() == 1 && freshCacheBaseline() == 1, "fresh-cache store");
        for (int i = 0; i < 8; i++) {
            Exits.check(streamSpecialize() == 1 && streamBaseline() == 1, "stream exit " + i);
        }
        Exits.check(streamCache.specializations() == 8, "expected 8 specializations, got " + streamCache.specializations());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long n = streamCache.specializations();
        if (n > 0) {
            System.out.printf("%n[SpecializeBench] stream: %d specializations, %.1f us each inside HandlerCache.record%n",
                n, streamCache.specializationNanos() / 1e3 / n);
        }
    }

    @Benchmark
    public int freshCacheSpecialize() {
        Emulator e = Emulator.create(vmm, specializeNow.withCache(new HandlerCache(2)));
        return e.tryMmioEmulation(vcpu, vp, store).bits();
    }

    @Benchmark
    public int freshCacheBaseline() {
        Emulator e = Emulator.create(vmm, never.withCache(new HandlerCache(2)));
        return e.tryMmioEmulation(vcpu, vp, store).bits();
    }

    @Benchmark
    public int streamSpecialize() {
        return streamSpecializing.tryMmioEmulation(vcpu, vp, stream.next()).bits();
    }

    @Benchmark
    public int streamBaseline() {
        return streamNever.tryMmioEmulation(vcpu, vp, stream.next()).bits();
    }
}
