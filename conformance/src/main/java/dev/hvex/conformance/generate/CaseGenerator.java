package dev.hvex.conformance.generate;

import dev.hvex.CpuMode;
import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseWriter;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.Expectation;
import dev.hvex.conformance.generate.FormGenerator.Generated;
import dev.hvex.conformance.generate.FormGenerator.Meta;
import dev.hvex.spec.Entry;
import dev.hvex.spec.Spec;
import dev.hvex.spec.SpecLoader;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The spec-driven case generator: for every spec entry with a family, in each of the processor oracle's
 * modes (long64, compat32, compat16), generates exit cases ({@link FormGenerator}), runs them through the
 * processor oracle ({@code conformance/oracle}), checks that the processor's answers are physically sane
 * ({@link OracleChecks}), and writes the completed cases with {@code source: "hw"} to
 * {@code hw-<mode>.jsonl.gz}. Deterministic: every case has its own seed derived from {@code --seed}.
 *
 * <pre>
 * CaseGenerator --spec opcode-spec/spec --oracle conformance/oracle/build/hvex-oracle --out conformance/cases
 *               [--work DIR] [--seed N] [--per-form N] [--modes long64,compat32,compat16] [--jobs N]
 * CaseGenerator --spec opcode-spec/spec --raw FILE [--mode long64] ...   (generate only, no oracle)
 * </pre>
 */
public final class CaseGenerator {
    /** The modes the processor oracle can execute. */
    public static final List<CpuMode> HW_MODES = List.of(CpuMode.LONG64, CpuMode.COMPAT32, CpuMode.COMPAT16);

    private final Spec spec;
    private final long seed;
    private final int perForm;

    public CaseGenerator(Spec spec, long seed, int perForm) {
        this.spec = spec;
        this.seed = seed;
        this.perForm = perForm;
    }

    /** The entries the generator covers, with the reason the oracle cannot do the others. */
    public Map<Entry, String> skipped() {
        Map<Entry, String> out = new LinkedHashMap<>();
        for (Entry e : spec.entries()) {
            if (e.family() != null) {
                String why = new FormShape(e).oracleLimit();
                if (why != null) {
                    out.put(e, why);
                }
            }
        }
        return out;
    }

    /** Cases for one mode, in spec order. Forms without a memory operand get a third as many. */
    public List<Generated> generate(CpuMode mode) {
        List<Generated> out = new ArrayList<>();
        for (Entry e : spec.entries()) {
            if (e.family() == null) {
                continue;
            }
            FormShape shape = new FormShape(e);
            if (shape.oracleLimit() != null || !shape.validIn(mode)) {
                continue;
            }
            FormGenerator fg = new FormGenerator(shape, mode, seed);
            int n = shape.hasMemory() ? perForm : Math.max(4, perForm / 3);
            for (int i = 1; i <= n; i++) {
                Generated g = fg.generate(i);
                if (g != null) {
                    out.add(g);
                }
            }
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("bad argument " + args[i]);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        if (!opt.containsKey("spec")) {
            usage("--spec is required");
        }
        Spec spec = SpecLoader.load(Path.of(opt.get("spec")));
        long seed = Long.parseLong(opt.getOrDefault("seed", "20251126"));
        int perForm = Integer.parseInt(opt.getOrDefault("per-form", "40"));
        List<CpuMode> modes = new ArrayList<>();
        for (String m : opt.getOrDefault("modes", "long64,compat32,compat16").split(",")) {
            modes.add(CpuMode.fromLabel(m));
        }
        CaseGenerator gen = new CaseGenerator(spec, seed, perForm);
        PrintStream log = System.out;
        gen.skipped().forEach((e, why) -> log.println("not generated: " + e.form() + " (" + e.family() + "): " + why));

        if (opt.containsKey("raw")) {
            try (CaseWriter w = CaseWriter.create(Path.of(opt.get("raw")))) {
                for (CpuMode mode : modes) {
                    for (Generated g : gen.generate(mode)) {
                        w.write(g.exitCase());
                    }
                }
            }
            return;
        }
        if (!opt.containsKey("oracle") || !opt.containsKey("out")) {
            usage("--oracle and --out are required (or --raw FILE to generate only)");
        }
        Path oracle = Path.of(opt.get("oracle"));
        Path out = Path.of(opt.get("out"));
        Path work = Path.of(opt.getOrDefault("work", "conformance/target/hw-work"));
        int jobs = Integer.parseInt(opt.getOrDefault("jobs", "2"));
        Files.createDirectories(out);
        Files.createDirectories(work);

        Map<String, Meta> metas = new HashMap<>();
        Map<CpuMode, Path[]> files = new LinkedHashMap<>();
        for (CpuMode mode : modes) {
            List<Generated> cases = gen.generate(mode);
            Path raw = work.resolve("raw-" + mode.label() + ".jsonl");
            try (CaseWriter w = CaseWriter.create(raw)) {
                for (Generated g : cases) {
                    w.write(g.exitCase());
                    metas.put(g.meta().id(), g.meta());
                }
            }
            log.println(mode.label() + ": generated " + cases.size() + " cases");
            files.put(mode, new Path[] {raw, work.resolve("oracle-" + mode.label() + ".jsonl"),
                work.resolve("oracle-" + mode.label() + ".log")});
        }

        // The oracle, up to `jobs` modes at a time.
        List<Process> running = new ArrayList<>();
        for (Path[] f : files.values()) {
            while (running.size() >= jobs) {
                running.remove(0).waitFor();
            }
            ProcessBuilder pb = new ProcessBuilder(oracle.toString(), f[0].toString());
            pb.redirectOutput(f[1].toFile());
            pb.redirectError(f[2].toFile());
            running.add(pb.start());
        }
        for (Process p : running) {
            p.waitFor();
        }

        OracleChecks checks = new OracleChecks(metas);
        Map<String, int[]> table = new TreeMap<>();
        for (Map.Entry<CpuMode, Path[]> en : files.entrySet()) {
            CpuMode mode = en.getKey();
            Path[] f = en.getValue();
            Set<String> outside = new HashSet<>();
            Map<String, Integer> skipReasons = new TreeMap<>();
            try (BufferedReader r = Files.newBufferedReader(f[2])) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("warn ") && line.contains("write outside the mem regions")) {
                        outside.add(line.substring(5, line.indexOf(':')));
                    } else if (line.startsWith("skip ")) {
                        String reason = line.substring(line.indexOf(": ") + 2).replaceAll("0x[0-9a-f]+", "N");
                        skipReasons.merge(reason, 1, Integer::sum);
                    } else if (line.startsWith("hvex-oracle:")) {
                        log.println(mode.label() + ": " + line);
                    }
                }
            }
            skipReasons.forEach((why, n) -> log.println(mode.label() + ": oracle skipped " + n + ": " + why));
            Path target = out.resolve("hw-" + mode.label() + ".jsonl.gz");
            int kept = 0;
            try (CaseReader reader = CaseReader.open(f[1]); CaseWriter w = gzipWriter(target)) {
                for (ExitCase c : reader) {
                    Meta meta = metas.get(c.id());
                    String problem = outside.contains(c.id()) ? "the processor wrote outside the case's mem regions"
                            : checks.problem(c, meta);
                    if (problem != null) {
                        checks.reject(c, problem);
                        continue;
                    }
                    Expectation e = c.expect();
                    Expectation fixed = new Expectation(e.status(), e.fault(), e.regs(), meta.flagsMask(), e.mem(), null);
                    ExitCase done = new ExitCase(c.id(), c.family(), c.variant(), c.mode(), c.exit(), c.insn(), c.cpl(),
                            c.regs(), c.pages(), c.mem(), c.ports(), c.access(), c.io(), fixed, "hw");
                    w.write(done);
                    kept++;
                    int[] counts = table.computeIfAbsent(c.family() + " " + mode.label(), k -> new int[3]);
                    counts[0]++;
                    counts[e.status() == ExitCase.Status.OK ? 1 : 2]++;
                }
            }
            log.println(mode.label() + ": wrote " + kept + " cases to " + target + " (" + Files.size(target) + " bytes)");
        }
        checks.report(log);
        log.println("family mode: cases (ok / fault)");
        int total = 0;
        for (Map.Entry<String, int[]> en : table.entrySet()) {
            log.printf("  %-24s %6d (%d / %d)%n", en.getKey(), en.getValue()[0], en.getValue()[1], en.getValue()[2]);
            total += en.getValue()[0];
        }
        log.println("total " + total + " cases");
    }

    /** A writer for a gzip file at the best compression (the committed files should be small). */
    static CaseWriter gzipWriter(Path file) throws IOException {
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        GZIPOutputStream gz = new GZIPOutputStream(os, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        };
        return new CaseWriter(new OutputStreamWriter(gz, StandardCharsets.UTF_8));
    }

    private static void usage(String why) {
        System.err.println(why);
        System.err.println("usage: CaseGenerator --spec DIR --oracle BIN --out DIR [--work DIR] [--seed N] [--per-form N]"
                + " [--modes long64,compat32,compat16] [--jobs N]");
        System.err.println("       CaseGenerator --spec DIR --raw FILE [--modes ...]   (generate only)");
        System.exit(2);
    }
}
