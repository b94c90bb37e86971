package dev.hvex.cli;

import dev.hvex.EmulatorOptions;
import dev.hvex.conformance.CaseMachine;
import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseRunner;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.InvalidCaseException;
import dev.hvex.conformance.Outcome;
import dev.hvex.jit.HandlerCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hvex replay}: run recorded exits, ignoring expectations, and time them. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Run recorded exits (.jsonl or .jsonl.gz; any 'expect' is ignored) through the emulator, one "
            + "emulator for all, as a VMM would. Prints the number of exits per family and outcome, and the mean time "
            + "per exit in nanoseconds, interpreted and through specialized handlers (the emulator call only, not "
            + "reading or setting up the case). A progress bar goes "
            + "to stderr when it is a terminal."},
        footerHeading = "%nExample:%n",
        footer = {"  hvex replay --repeat 100 recorded-exits.jsonl.gz"})
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files of recorded exits.")
    List<String> files = new ArrayList<>();

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run each exit N times (the machine is reset between runs; default 1).")
    String repeat;

    @Override
    public Integer call() throws IOException {
        long times = Inputs.number(repeat, 1, 1_000_000_000L, "--repeat");
        List<Path> paths = new ArrayList<>();
        long totalBytes = 0;
        for (String f : files) {
            Path p = Inputs.readableFile(f);
            paths.add(p);
            totalBytes += Files.size(p);
        }
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = System.console() != null ? new Progress(spec.commandLine().getErr(), totalBytes) : null;
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        Map<String, long[]> familyTime = new TreeMap<>(); // interpreted ns, specialized ns, runs
        TreeSet<String> outcomes = new TreeSet<>();
        long exits = 0;
        long interpretedNanos = 0;
        long specializedNanos = 0;
        long doneBytes = 0;
        EmulatorOptions base = CaseRunner.conformanceOptions();
        try (CaseRunner interpreter = new CaseRunner(base.withSpecialize(false));
             CaseRunner specialized = new CaseRunner(base.withCache(new HandlerCache(1 << 14)).withSpecializeThreshold(0))) {
            for (Path p : paths) {
                try (CaseReader reader = Inputs.openCases(p)) {
                    for (ExitCase c : reader) {
                        CaseMachine mi;
                        CaseMachine ms;
                        try {
                            mi = interpreter.prepare(c);
                            ms = specialized.prepare(c);
                        } catch (InvalidCaseException e) {
                            throw new BadInputException(p + ":" + reader.line() + ": " + e.getMessage());
                        }
                        String category;
                        long ti = 0;
                        long ts = 0;
                        try {
                            Outcome o = null;
                            long t0 = System.nanoTime();
                            for (long k = 0; k < times; k++) {
                                o = Outcome.of(interpreter.run(mi));
                            }
                            ti = System.nanoTime() - t0;
                            t0 = System.nanoTime();
                            for (long k = 0; k < times; k++) {
                                specialized.run(ms);
                            }
                            ts = System.nanoTime() - t0;
                            category = o.category();
                        } catch (RuntimeException | StackOverflowError | AssertionError e) {
                            category = "crashed";
                            if (debugOption.debug) {
                                e.printStackTrace(spec.commandLine().getErr());
                            }
                            interpreter.renew();
                            specialized.renew();
                        }
                        interpretedNanos += ti;
                        specializedNanos += ts;
                        exits += times;
                        String family = c.familyOrGuess();
                        counts.computeIfAbsent(family, k -> new TreeMap<>()).merge(category, times, Long::sum);
                        long[] ft = familyTime.computeIfAbsent(family, k -> new long[3]);
                        ft[0] += ti;
                        ft[1] += ts;
                        ft[2] += times;
                        outcomes.add(category);
                        if (progress != null) {
                            progress.update(doneBytes + reader.bytesRead(), exits);
                        }
                    }
                    doneBytes += Files.size(p);
                }
            }
        }
        if (progress != null) {
            progress.finish();
        }
        if (exits > 0) {
            List<String> header = new ArrayList<>();
            header.add("family");
            header.addAll(outcomes);
            header.add("exits");
            header.add("interpreted ns");
            header.add("specialized ns");
            Table t = new Table(header.toArray(new String[0]));
            for (Map.Entry<String, Map<String, Long>> e : counts.entrySet()) {
                List<String> row = new ArrayList<>();
                row.add(e.getKey());
                for (String o : outcomes) {
                    row.add(String.valueOf(e.getValue().getOrDefault(o, 0L)));
                }
                long[] ft = familyTime.get(e.getKey());
                row.add(String.valueOf(ft[2]));
                row.add(String.valueOf(ft[0] / ft[2]));
                row.add(String.valueOf(ft[1] / ft[2]));
                t.row(row.toArray(new String[0]));
            }
            t.print(out);
            out.println();
        }
        out.println(exits + " exits; mean per exit: " + (exits == 0 ? 0 : interpretedNanos / exits) + " ns interpreted, "
            + (exits == 0 ? 0 : specializedNanos / exits) + " ns specialized (the emulator call with the replay"
            + " callbacks; --repeat N for steady state)");
        out.flush();
        return ExitCodes.OK;
    }

    /** A one-line progress bar, redrawn at most every 100 ms. */
    private static final class Progress {
        private final PrintWriter err;
        private final long total;
        private long lastDraw;

        Progress(PrintWriter err, long total) {
            this.err = err;
            this.total = Math.max(1, total);
        }

        void update(long bytes, long exits) {
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            int pct = (int) Math.min(100, bytes * 100 / total);
            int filled = pct * 30 / 100;
            err.print("\r[" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + pct + "%  " + exits + " exits");
            err.flush();
        }

        void finish() {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
    }
}
