package dev.hvex.jit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;
import dev.hvex.testing.Exits;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import org.junit.jupiter.api.Test;

/**
 * A guest that executes a million distinct MMIO instructions (about 30 s; -Dhvex.test.distinct=N to change)
 * cannot grow the cache: a small cache keeps a bounded number of profiles, every instruction is specialized
 * and evicted, the evicted handler classes are unloaded, and heap and metaspace stay flat.
 */
class CacheBoundsTest {
    private static final int DISTINCT = Integer.getInteger("hvex.test.distinct", 1_000_000);

    @Test
    void distinctInstructionsThroughASmallCacheStayBounded() {
        HandlerCache cache = new HandlerCache(256);
        BenchVmm vmm = new BenchVmm();
        EmulatorOptions options = EmulatorOptions.defaults().withCache(cache).withSpecializeThreshold(0)
            .withVerifyExits(false);
        VpExitContext vp = Exits.long64();
        byte[] insn = {(byte) 0x89, (byte) 0x87, 0, 0, 0, 0}; // mov [rdi+disp32], eax with a new disp32 each time
        MmioAccessContext mmio = new MmioAccessContext().setAccessType(MmioAccessContext.WRITE);
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long heapAfterWarmup = 0;
        long metaAfterWarmup = 0;
        long loadedAfterWarmup = 0;
        try (Emulator emulator = Emulator.create(vmm, options)) {
            for (int i = 0; i < DISTINCT; i++) {
                insn[2] = (byte) i;
                insn[3] = (byte) (i >>> 8);
                insn[4] = (byte) (i >>> 16);
                mmio.setInstructionBytes(insn, 0, insn.length);
                EmulatorStatus s = emulator.tryMmioEmulation(null, vp, mmio);
                assertThat(s.emulationSuccessful()).isTrue();
                if (i == DISTINCT / 10) {
                    gc();
                    heapAfterWarmup = heapUsed();
                    metaAfterWarmup = metaspaceUsed();
                    loadedAfterWarmup = classes.getLoadedClassCount();
                }
            }
        }
        gc();
        long heap = heapUsed();
        long meta = metaspaceUsed();
        long loaded = classes.getLoadedClassCount();
        System.out.printf("%d distinct instructions: %d specializations, %d evictions; heap %d -> %d KiB, metaspace %d -> %d KiB,"
                + " loaded classes %d -> %d, unloaded %d, %.1f us per specialization%n", DISTINCT, cache.specializations(),
            cache.evictions(), heapAfterWarmup >> 10, heap >> 10, metaAfterWarmup >> 10, meta >> 10, loadedAfterWarmup, loaded,
            classes.getUnloadedClassCount(), cache.specializationNanos() / 1000.0 / Math.max(1, cache.specializations()));
        assertThat(cache.specializations()).isEqualTo(DISTINCT);
        assertThat(cache.evictions()).isGreaterThan(DISTINCT / 2);
        assertThat(loaded - loadedAfterWarmup).as("classes still loaded beyond the cache's capacity").isLessThan(2 * 512 + 200);
        assertThat(meta - metaAfterWarmup).as("metaspace growth").isLessThan(16L << 20);
        assertThat(heap - heapAfterWarmup).as("heap growth").isLessThan(32L << 20);
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long metaspaceUsed() {
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().contains("Metaspace")) {
                used += p.getUsage().getUsed();
            }
        }
        return used;
    }

    /** Accepts every access, allocating nothing. */
    static final class BenchVmm implements dev.hvex.EmulatorCallbacks {
        final long[] regs = new long[Register.count()];

        @Override
        public boolean ioPort(Object c, dev.hvex.IoPortAccess a) {
            return true;
        }

        @Override
        public boolean memory(Object c, dev.hvex.MemoryAccess a) {
            return true;
        }

        @Override
        public boolean getRegisters(Object c, dev.hvex.RegisterValues b) {
            for (int i = 0; i < b.count(); i++) {
                b.set(i, regs[b.name(i).ordinal()], 0);
            }
            return true;
        }

        @Override
        public boolean setRegisters(Object c, dev.hvex.RegisterValues b) {
            return true;
        }

        @Override
        public boolean translateGvaPage(Object c, long gva, int flags, dev.hvex.GvaTranslation r) {
            r.set(dev.hvex.GvaTranslation.SUCCESS, gva & 0xfffff000L);
            return true;
        }
    }
}
