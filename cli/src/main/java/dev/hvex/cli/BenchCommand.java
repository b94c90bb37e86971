package dev.hvex.cli;

import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.jit.HandlerCache;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hvex bench}: a quick throughput check without JMH. The figures are indicative only; the
 * reproducible ones come from the JMH suite (BENCHMARKS.md).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Emulate a few representative exits in a loop against an allocation-free in-process VMM and "
            + "print ns per exit, interpreted and specialized. Indicative only: for reproducible figures use the "
            + "JMH suite (see BENCHMARKS.md)."},
        footerHeading = "%nExample:%n",
        footer = {"  hvex bench --millis 2000"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Option(names = "--millis", paramLabel = "MS", defaultValue = "1000",
            description = "Measuring time per exit and tier in milliseconds, after as long a warm-up "
                + "(default 1000, from 10 to 10000).")
    String millis;

    /** A VMM that allocates nothing: flat RAM, one device window, identity paging. */
    static final class Vmm implements EmulatorCallbacks {
        final long[] regs = new long[Register.count()];
        final byte[] ram = new byte[1 << 16];
        long deviceWrites;

        @Override
        public boolean ioPort(Object context, IoPortAccess access) {
            if (!access.isWrite()) {
                access.setData(0x41);
            }
            return true;
        }

        @Override
        public boolean memory(Object context, MemoryAccess a) {
            long gpa = a.gpa();
            if (gpa >= 0xf000_0000L) {
                if (a.isWrite()) {
                    deviceWrites++;
                } else {
                    a.setData(0x1234_5678L);
                }
                return true;
            }
            int base = (int) (gpa & 0xffff);
            if (a.isWrite()) {
                long v = a.data();
                for (int i = 0; i < a.size(); i++) {
                    ram[(base + i) & 0xffff] = (byte) (v >>> (8 * i));
                }
            } else {
                long v = 0;
                for (int i = a.size() - 1; i >= 0; i--) {
                    v = v << 8 | (ram[(base + i) & 0xffff] & 0xff);
                }
                a.setData(v);
            }
            return true;
        }

        @Override
        public boolean getRegisters(Object context, RegisterValues batch) {
            for (int i = 0; i < batch.count(); i++) {
                batch.set(i, regs[batch.name(i).ordinal()], 0);
            }
            return true;
        }

        @Override
        public boolean setRegisters(Object context, RegisterValues batch) {
            for (int i = 0; i < batch.count(); i++) {
                Register r = batch.name(i);
                if (r != Register.RIP) {
                    regs[r.ordinal()] = batch.low(i);
                }
            }
            return true;
        }

        @Override
        public boolean translateGvaPage(Object context, long gvaPage, int flags, GvaTranslation result) {
            result.set(GvaTranslation.SUCCESS, gvaPage);
            return true;
        }
    }

    private interface Exit {
        EmulatorStatus run(Emulator e);
    }

    @Override
    public Integer call() {
        long ns = Inputs.number(millis, 10, 10_000, "--millis") * 1_000_000L;
        PrintWriter out = spec.commandLine().getOut();
        Table t = new Table("exit", "interpreted ns", "specialized ns");
        String[][] exits = {
            {"mov [rdi+8], eax (store)", "894708", "w"},
            {"mov eax, [rdi+8] (load)", "8b4708", "r"},
            {"add [rdi+8], ecx (rmw)", "014f08", "r"},
            {"movdqu [rdi+8], xmm0", "f30f7f4708", "w"},
            {"rep movsd x64 to a device", "f3a5", "w"},
            {"out dx, al", "ee", "io-out"},
            {"in al, dx", "ec", "io-in"},
        };
        for (String[] x : exits) {
            t.row(x[0], measure(x, false, ns), measure(x, true, ns));
        }
        t.print(out);
        out.println();
        out.println("Indicative figures from a loop in this JVM; JMH figures are in BENCHMARKS.md.");
        out.flush();
        return ExitCodes.OK;
    }

    private static String measure(String[] x, boolean specialized, long ns) {
        Vmm vmm = new Vmm();
        EmulatorOptions options = EmulatorOptions.defaults().withSpecialize(specialized);
        if (specialized) {
            options = options.withCache(new HandlerCache(64)).withSpecializeThreshold(0);
        }
        byte[] bytes = new byte[16];
        byte[] insn = hex(x[1]);
        System.arraycopy(insn, 0, bytes, 0, insn.length);
        VpExitContext vp = new VpExitContext().setCr0Pe(true).setEferLma(true).setRip(0x1000).setRflags(0x2);
        vp.cs().set(0, 0xffffffff, 0x8, 0xa09b);
        MmioAccessContext mmio = new MmioAccessContext().setInstructionBytes(bytes, 0, 16)
            .setGpa(0xf000_0008L).setGva(0xf000_0008L).setGvaValid(true)
            .setAccessType(x[2].equals("w") ? MmioAccessContext.WRITE : MmioAccessContext.READ);
        IoPortAccessContext io = new IoPortAccessContext().setInstructionBytes(bytes, 0, 16)
            .setWrite(x[2].equals("io-out")).setAccessSize(1).setPort(0x3f8);
        boolean string = x[1].equals("f3a5");
        Exit exit = x[2].startsWith("io") ? e -> e.tryIoEmulation(null, vp, io) : e -> {
            if (string) {
                vmm.regs[Register.RCX.ordinal()] = 64;
                vmm.regs[Register.RSI.ordinal()] = 0x100;
                vmm.regs[Register.RDI.ordinal()] = 0xf000_0000L;
                mmio.setGpa(0xf000_0000L);
            }
            return e.tryMmioEmulation(null, vp, mmio);
        };
        vmm.regs[Register.RDI.ordinal()] = 0xf000_0000L;
        vmm.regs[Register.RDX.ordinal()] = 0x3f8;
        try (Emulator emulator = Emulator.create(vmm, options)) {
            EmulatorStatus s = exit.run(emulator);
            if (!s.emulationSuccessful()) {
                return "failed: " + s.describe();
            }
            loop(emulator, exit, ns);
            long n = loop(emulator, exit, ns);
            return String.valueOf(ns / Math.max(1, n));
        }
    }

    /** Runs the exit for about {@code ns} nanoseconds; returns how many ran. */
    private static long loop(Emulator emulator, Exit exit, long ns) {
        long count = 0;
        long start = System.nanoTime();
        long end = start + ns;
        while (true) {
            for (int i = 0; i < 1000; i++) {
                exit.run(emulator);
            }
            count += 1000;
            long now = System.nanoTime();
            if (now >= end) {
                return count * ns / (now - start);
            }
        }
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
