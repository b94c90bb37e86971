package dev.hvex.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A cross-check of the JMH figures for a shared, loaded machine (not a JMH benchmark): the hot-store
 * variants and a few others run round-robin in one JVM, each round timing a batch of ops with the
 * thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime}) as well as wall time. CPU time
 * leaves out the time the thread was descheduled by other processes, and round-robin exposes every
 * variant to the same drift of the load, so the per-round ratios stay meaningful when JMH's
 * wall-clock averages do not. Unlike JMH forks, all variants share one JVM (and its JIT profiles).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.hvex.bench.CpuTimeCheck [rounds] [opsPerRound]</pre>
 */
public final class CpuTimeCheck {
    private static int sink;

    private CpuTimeCheck() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        HotStoreBench store = new HotStoreBench();
        store.setup();
        MmioBench mmio = new MmioBench();
        mmio.setup();
        PortIoBench io = new PortIoBench();
        io.setup();
        String[] names = {"HotStoreBench.ideal", "HotStoreBench.specialized", "HotStoreBench.interpreted",
            "MmioBench.idealLoad", "MmioBench.loadCached", "MmioBench.loadInterpreted",
            "PortIoBench.idealOut", "PortIoBench.outCached", "PortIoBench.outInterpreted"};
        int variants = names.length;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[][] cpu = new double[variants][rounds];
        double[][] wall = new double[variants][rounds];
        for (int warm = 0; warm < 5; warm++) {
            for (int v = 0; v < variants; v++) {
                run(v, ops, store, mmio, io);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int v = 0; v < variants; v++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                run(v, ops, store, mmio, io);
                wall[v][r] = (System.nanoTime() - w0) / (double) ops;
                cpu[v][r] = (mx.getCurrentThreadCpuTime() - c0) / (double) ops;
            }
        }
        System.out.printf("%-28s %10s %10s %10s %10s%n", "variant (ns/op)", "cpu min", "cpu median", "wall min",
            "wall median");
        for (int v = 0; v < variants; v++) {
            System.out.printf("%-28s %10.1f %10.1f %10.1f %10.1f%n", names[v], min(cpu[v]), median(cpu[v]),
                min(wall[v]), median(wall[v]));
        }
        // Ratios to the ideal of the same group, per round (same load), then the median over rounds.
        for (int g = 0; g < variants; g += 3) {
            for (int v = g + 1; v < g + 3; v++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = cpu[v][r] / cpu[g][r];
                }
                System.out.printf("ratio %s / %s (CPU time, median of per-round ratios): %.2f%n", names[v], names[g],
                    median(ratio));
            }
        }
        System.out.println("(sink " + sink + ")");
    }

    /** One loop per variant, each with a direct call, so that no call site is shared between variants. */
    private static void run(int v, int ops, HotStoreBench store, MmioBench mmio, PortIoBench io) {
        int acc = 0;
        switch (v) {
            case 0: for (int i = 0; i < ops; i++) { acc += store.ideal(); } break;
            case 1: for (int i = 0; i < ops; i++) { acc += store.specialized(); } break;
            case 2: for (int i = 0; i < ops; i++) { acc += store.interpreted(); } break;
            case 3: for (int i = 0; i < ops; i++) { acc += mmio.idealLoad(); } break;
            case 4: for (int i = 0; i < ops; i++) { acc += mmio.loadCached(); } break;
            case 5: for (int i = 0; i < ops; i++) { acc += mmio.loadInterpreted(); } break;
            case 6: for (int i = 0; i < ops; i++) { acc += io.idealOut(); } break;
            case 7: for (int i = 0; i < ops; i++) { acc += io.outCached(); } break;
            default: for (int i = 0; i < ops; i++) { acc += io.outInterpreted(); } break;
        }
        sink += acc;
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElse(Double.NaN);
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
