package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.jit.HandlerCache;
import dev.hvex.testing.Exits;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ten million emulations of an adversarial mix: mostly a hot set, and a steady stream of never-seen
 * instructions (distinct displacements and immediates over the emitting families) through a small
 * cache with a low specialization threshold, so that hidden classes are made and evicted all along.
 * After each phase, with a full GC: heap and metaspace stay flat and evicted handler classes unload.
 *
 * <p>Tagged "soak"; about 30 s on the 2-core machine, so it stays in the default run (exclude it with
 * {@code -DexcludedGroups=soak} for a quick local loop).
 */
@Tag("soak")
class SoakTest {
    static final long EMULATIONS = 10_000_000L;

    /** A VMM that keeps nothing: flat memory of a fixed pattern, registers in an array. */
    static final class QuietVmm implements EmulatorCallbacks {
        final long[] lo = new long[Register.count()];
        final long[] hi = new long[Register.count()];
        long writes;

        @Override
        public boolean ioPort(Object context, IoPortAccess access) {
            access.setData(0x5a5a5a5a);
            return true;
        }

        @Override
        public boolean memory(Object context, MemoryAccess access) {
            if (access.isWrite()) {
                writes++;
            } else {
                access.setData(0x0123456789abcdefL ^ access.gpa());
            }
            return true;
        }

        @Override
        public boolean getRegisters(Object context, RegisterValues r) {
            for (int i = 0; i < r.count(); i++) {
                r.set(i, lo[r.name(i).ordinal()], hi[r.name(i).ordinal()]);
            }
            return true;
        }

        @Override
        public boolean setRegisters(Object context, RegisterValues r) {
            for (int i = 0; i < r.count(); i++) {
                Register n = r.name(i);
                if (n.kind() == Register.Kind.GPR && n.ordinal() < 16) {
                    lo[n.ordinal()] = 0x2000 + (r.low(i) & 0xff8); // keep addresses tame
                }
            }
            return true;
        }

        @Override
        public boolean translateGvaPage(Object context, long gvaPage, int flags, GvaTranslation result) {
            result.set(GvaTranslation.SUCCESS, gvaPage & 0xffffffff000L);
            return true;
        }
    }

    /** Templates of the emitting and interpreted families; {@code D} is a 4-byte field made distinct. */
    static final String[] TEMPLATES = {
        "8987DDDDDDDD",     // mov [rdi+d32], eax
        "8B87DDDDDDDD",     // mov eax, [rdi+d32]
        "0187DDDDDDDD",     // add [rdi+d32], eax
        "8387DDDDDDDD7f",   // add dword [rdi+d32], imm8
        "F787DDDDDDDD",     // test [rdi+d32], imm32 (the immediate follows)
        "FF87DDDDDDDD",     // inc [rdi+d32]
        "F79FDDDDDDDD",     // neg [rdi+d32]
        "0F9487DDDDDDDD",   // sete [rdi+d32]
        "0FB687DDDDDDDD",   // movzx eax, byte [rdi+d32]
        "0FC187DDDDDDDD",   // xadd [rdi+d32], eax (interpreting handler)
        "0FAB87DDDDDDDD",   // bts [rdi+d32], eax (interpreting handler)
    };

    static int fill(byte[] out, SplittableRandom rnd, long distinct) {
        String t = TEMPLATES[(int) (distinct % TEMPLATES.length)];
        byte[] b = Exits.hex(t.replace("DDDDDDDD", "00000000"));
        int at = t.indexOf('D') / 2;
        int disp = (int) (distinct * 8) & 0x00ffffff;
        b[at] = (byte) disp;
        b[at + 1] = (byte) (disp >> 8);
        b[at + 2] = (byte) (disp >> 16);
        int n = b.length;
        if (t.startsWith("F787")) {
            n += 4; // test's imm32
        }
        java.util.Arrays.fill(out, (byte) 0);
        System.arraycopy(b, 0, out, 0, b.length);
        if (t.startsWith("F787")) {
            out[b.length] = (byte) rnd.nextInt();
        }
        return n;
    }

    @Test
    void tenMillionEmulationsKeepMemoryFlat() {
        HandlerCache cache = new HandlerCache(256);
        QuietVmm vmm = new QuietVmm();
        vmm.lo[Register.RDI.ordinal()] = 0x2000;
        vmm.lo[Register.RAX.ordinal()] = 0x11;
        EmulatorOptions options = EmulatorOptions.defaults().withCache(cache).withSpecializeThreshold(1)
            .withRepBudget(16);
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] hot = new byte[64][16];
        int[] hotLen = new int[64];
        for (int i = 0; i < hot.length; i++) {
            hotLen[i] = fill(hot[i], rnd, i);
        }
        byte[] fresh = new byte[16];
        MmioAccessContext m = new MmioAccessContext().setAccessType(MmioAccessContext.EXECUTE);
        VpExitContext vp = Exits.long64();
        long distinct = 1_000;
        long failures = 0;
        long t0 = System.nanoTime();
        long[] heapAfter = new long[5];
        long[] metaAfter = new long[5];
        long[] unloadedAfter = new long[5];
        int phases = 5;
        long perPhase = EMULATIONS / phases;
        try (Emulator e = Emulator.create(vmm, options)) {
            for (int phase = 0; phase < phases; phase++) {
                for (long i = 0; i < perPhase; i++) {
                    int r = rnd.nextInt(100);
                    if (r < 98) {
                        int h = rnd.nextInt(hot.length);
                        m.setInstructionBytes(hot[h], 0, hotLen[h] + (r & 1)); // two exit keys per instruction
                    } else {
                        // a never-seen instruction, run twice: the second run specializes it
                        int n = fill(fresh, rnd, distinct++);
                        m.setInstructionBytes(fresh, 0, n);
                        e.tryMmioEmulation(null, vp.setRip(0x1000), m);
                    }
                    vmm.lo[Register.RDI.ordinal()] = 0x2000;
                    EmulatorStatus st = e.tryMmioEmulation(null, vp.setRip(0x1000), m);
                    if (!st.emulationSuccessful()) {
                        failures++;
                    }
                }
                System.gc();
                System.gc();
                heapAfter[phase] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                metaAfter[phase] = metaspaceUsed();
                unloadedAfter[phase] = classes.getUnloadedClassCount();
            }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.printf("soak: %d emulations + %d distinct instructions in %d s, %d specializations, %d evictions,"
                + " heap %s, metaspace %s, classes unloaded %s%n", EMULATIONS, distinct - 1000, seconds,
            cache.specializations(), cache.evictions(), java.util.Arrays.toString(heapAfter),
            java.util.Arrays.toString(metaAfter), java.util.Arrays.toString(unloadedAfter));
        assertThat(failures).isZero();
        assertThat(cache.specializations()).as("specializations").isGreaterThan(50_000);
        assertThat(cache.evictions()).as("evictions").isGreaterThan(50_000);
        // Flat: from the second phase on (the first includes warm-up), growth stays under a few MB.
        assertThat(heapAfter[4] - heapAfter[1]).as("heap growth").isLessThan(16L << 20);
        assertThat(metaAfter[4] - metaAfter[1]).as("metaspace growth").isLessThan(8L << 20);
        assertThat(unloadedAfter[4]).as("evicted handler classes unload").isGreaterThan(unloadedAfter[1]);
    }

    static long metaspaceUsed() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace")) {
                return p.getUsage().getUsed();
            }
        }
        throw new AssertionError("no Metaspace pool");
    }
}
