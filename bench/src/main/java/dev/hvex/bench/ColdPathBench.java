package dev.hvex.bench;

import dev.hvex.CpuMode;
import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.MmioAccessContext;
import dev.hvex.VpExitContext;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
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
 * The cold path: every exit has bytes never seen before (a disp32 that changes on every op), so each
 * is decoded, its registers gathered and its semantics interpreted.
 * <ul>
 *   <li>{@code *Interpreted}: specialization off, so the handler cache is not consulted;</li>
 *   <li>{@code *ThroughCache}: default options with a private cache of the default size (4096): every exit
 *       misses, creates a profile and evicts an older one once the cache is full (the threshold of 16
 *       is never reached);</li>
 *   <li>{@link #decodeOnly}: the baseline, {@link Decoder#decode} of the same stream.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ColdPathBench {
    BenchVmm vmm;
    final Object vcpu = new Object();
    VpExitContext vp;
    InstructionStream stores;
    InstructionStream mixed;
    Emulator interpreted;
    Emulator throughCache;
    HandlerCache cache;
    final DecodedInstruction decoded = new DecodedInstruction();

    @Setup(Level.Trial)
    public void setup() {
        vmm = Exits.long64Vmm();
        InstructionStream.prepare(vmm);
        vp = Exits.long64();
        stores = InstructionStream.stores();
        mixed = InstructionStream.mixed();
        interpreted = Emulator.create(vmm, EmulatorOptions.defaults().withSpecialize(false));
        cache = new HandlerCache(4096);
        throughCache = Emulator.create(vmm, EmulatorOptions.defaults().withCache(cache));
        for (int i = 0; i < 16; i++) {
            Exits.check(mixedInterpreted() == 1, "mixed stream, interpreted, exit " + i);
            Exits.check(mixedThroughCache() == 1, "mixed stream, through the cache, exit " + i);
        }
        Exits.check(storeInterpreted() == 1 && storeThroughCache() == 1, "store stream");
        Exits.check(decodeOnly() == 6, "decode of mov [rdi+disp32], eax");
        Exits.check(throughCache.stats().cachedRuns == 0, "the cold stream hit the cache");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Exits.check(throughCache.stats().cachedRuns == 0, "the cold stream hit the cache");
    }

    @Benchmark
    public int storeInterpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, stores.next()).bits();
    }

    @Benchmark
    public int mixedInterpreted() {
        return interpreted.tryMmioEmulation(vcpu, vp, mixed.next()).bits();
    }

    @Benchmark
    public int storeThroughCache() {
        return throughCache.tryMmioEmulation(vcpu, vp, stores.next()).bits();
    }

    @Benchmark
    public int mixedThroughCache() {
        return throughCache.tryMmioEmulation(vcpu, vp, mixed.next()).bits();
    }

    /** Decoding alone, of the store stream's bytes. */
    @Benchmark
    public int decodeOnly() {
        MmioAccessContext c = stores.next();
        Decoder.decode(c.instructionBytes(), 0, c.instructionByteCount(), CpuMode.LONG64, decoded);
        return decoded.length;
    }
}
