package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.CpuMode;
import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.jit.HandlerCache;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several vCPU threads, each with its own emulator and VMM, share one small handler cache (so entries
 * are created, specialized, evicted and replaced while other threads read them) and run random exits;
 * every result (status, callbacks in order, final guest state) must equal a single-threaded
 * interpreter-only reference run of the same exit.
 */
class ConcurrencyTest {
    static final int THREADS = 4;
    static final int SCENARIOS = 3000;
    static final int PASSES = 4;

    /** A random exit built around a representative of some family, in a random mode and state. */
    static byte[] randomScenario(SplittableRandom rnd) {
        List<String> families = new ArrayList<>(SeedCorpus.FAMILIES.values());
        String hex = families.get(rnd.nextInt(families.size()));
        Scenario.Builder b = Scenario.builder()
            .mode(CpuMode.values()[rnd.nextInt(7)])
            .cpl(rnd.nextInt(4) == 0 ? 3 : 0)
            .paging(rnd.nextBoolean())
            .flags(rnd.nextInt(256))
            .budget(1 + rnd.nextInt(8))
            .pages(rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 0)
            .segments(rnd.nextInt(8) == 0 ? rnd.nextInt(0x10000) : 0)
            .rip(rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0)
            .insn(hex)
            .seed(rnd.nextInt());
        if (rnd.nextInt(10) == 0) {
            b.fail(1 + rnd.nextInt(6), 1 + rnd.nextInt(4), rnd.nextBoolean());
        }
        if (rnd.nextInt(4) == 0) {
            b.count(rnd.nextInt(hex.length() / 2 + 1)); // the rest fetched
        }
        byte[] data = b.build();
        for (int r = 0; r < 16; r++) {
            if (rnd.nextInt(3) == 0) {
                data[26 + r] = (byte) rnd.nextInt();
            }
        }
        if (hex.startsWith("e") || hex.contains("6d") || hex.contains("6e")) {
            data[0] |= (byte) 0x80; // a port exit
        }
        return data;
    }

    static String fingerprint(Harness.Result r) {
        if (r.thrown != null) {
            return "threw " + r.thrown;
        }
        return r.key() + " " + r.vmm.events + " " + r.vmm.state();
    }

    @Test
    void threadsSharingACacheGetTheSingleThreadedResults() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[][] inputs = new byte[SCENARIOS][];
        String[] reference = new String[SCENARIOS];
        for (int i = 0; i < SCENARIOS; i++) {
            inputs[i] = randomScenario(rnd);
            Scenario s = new Scenario(inputs[i]);
            try (Emulator ref = Emulator.create(ByContext.INSTANCE,
                    EmulatorOptions.defaults().withSpecialize(false).withRepBudget(s.repBudget))) {
                reference[i] = fingerprint(Harness.run(ref, s));
            }
        }

        long successes = java.util.Arrays.stream(reference).filter(f -> f.startsWith("bits=1 ")).count();
        long faults = java.util.Arrays.stream(reference).filter(f -> f.startsWith("bits=10200 ")).count();
        assertThat(successes).as("successes in the mix").isGreaterThan(SCENARIOS / 5);
        assertThat(faults).as("faults in the mix").isGreaterThan(SCENARIOS / 50);

        HandlerCache shared = new HandlerCache(64);
        ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] runs = new long[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                SplittableRandom order = new SplittableRandom(100 + id);
                // one emulator per REP budget value (options are per emulator), all on the shared cache
                Emulator[] byBudget = new Emulator[9];
                try {
                    start.await();
                    for (int pass = 0; pass < PASSES; pass++) {
                        for (int k = 0; k < SCENARIOS; k++) {
                            int i = order.nextInt(SCENARIOS);
                            Scenario s = new Scenario(inputs[i]);
                            int budget = (int) s.repBudget;
                            if (byBudget[budget] == null) {
                                byBudget[budget] = Emulator.create(ByContext.INSTANCE, EmulatorOptions.defaults()
                                    .withCache(shared).withSpecializeThreshold(id % 2).withRepBudget(budget));
                            }
                            String got = fingerprint(Harness.run(byBudget[budget], s));
                            runs[id]++;
                            if (!got.equals(reference[i]) && mismatches.size() < 10) {
                                mismatches.add("scenario " + i + " " + java.util.HexFormat.of().formatHex(inputs[i])
                                    + "\n  got      " + got + "\n  expected " + reference[i]);
                            }
                        }
                    }
                } catch (Throwable ex) {
                    mismatches.add("thread " + id + " died: " + ex);
                } finally {
                    for (Emulator e : byBudget) {
                        if (e != null) {
                            e.close();
                        }
                    }
                }
            }, "vcpu-" + t);
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(TimeUnit.MINUTES.toMillis(5));
            assertThat(th.isAlive()).as(th.getName() + " finished").isFalse();
        }
        assertThat(mismatches).isEmpty();
        long total = 0;
        for (long r : runs) {
            total += r;
        }
        assertThat(total).isEqualTo((long) THREADS * PASSES * SCENARIOS);
        assertThat(shared.specializations()).isPositive();
        assertThat(shared.evictions()).as("the cache is small enough to evict").isPositive();
    }
}
