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

    /**
     * Cases for the KVM oracle alone in one mode: in real16, prot16 and prot32 (paging off, CPL 0 and
     * some CPL 3) every memory form KVM can emulate, {@code perForm} each, and port I/O; in the processor
     * oracle's modes port I/O only (the processor oracle has no device). {@code ioPerForm} per I/O form.
     */
    public List<Generated> generateKvm(CpuMode mode, int kvmPerForm, int ioPerForm) {
        boolean hwMode = HW_MODES.contains(mode);
        List<Generated> out = new ArrayList<>();
        for (Entry e : spec.entries()) {
            if (e.family() == null) {
                continue;
            }
            FormShape shape = new FormShape(e);
            if (shape.kvmLimit() != null || !shape.validIn(mode)) {
                continue;
            }
            if (hwMode ? !shape.portIo() : !shape.portIo() && !shape.hasMemory()) {
                continue;
            }
            FormGenerator fg = new FormGenerator(shape, mode, seed);
            int n = shape.portIo() ? ioPerForm : kvmPerForm;
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
        int kvmPerForm = Integer.parseInt(opt.getOrDefault("kvm-per-form", "14"));
        int ioPerForm = Integer.parseInt(opt.getOrDefault("io-per-form", "24"));
        List<CpuMode> modes = new ArrayList<>();
        for (String m : opt.getOrDefault("modes", "long64,compat32,compat16").split(",")) {
            modes.add(CpuMode.fromLabel(m));
        }
        List<CpuMode> kvmModes = new ArrayList<>();
        for (String m : opt.getOrDefault("kvm-modes", "real16,prot16,prot32,long64,compat32,compat16").split(",")) {
            if (!m.isEmpty()) {
                kvmModes.add(CpuMode.fromLabel(m));
            }
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
                for (CpuMode mode : kvmModes) {
                    for (Generated g : gen.generateKvm(mode, kvmPerForm, ioPerForm)) {
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
        KvmOracle kvm = KvmOracle.find(opt.get("kvm-oracle"), work, jobs);
        if (kvm == null) {
            log.println("KVM part skipped: " + KvmOracle.unavailableReason(opt.get("kvm-oracle"))
                    + " (hw-*.jsonl.gz get source hw only; kvm-*.jsonl.gz and kvm-disagreements.md are left as they are)");
        }

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
        Disagreements disagreements = new Disagreements();
        for (Map.Entry<CpuMode, Path[]> en : files.entrySet()) {
            CpuMode mode = en.getKey();
            Path[] f = en.getValue();
            Set<String> outside = outsideWrites(f[2], mode.label(), "hvex-oracle:", log);
            List<ExitCase> done = new ArrayList<>();
            try (CaseReader reader = CaseReader.open(f[1])) {
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
                    done.add(new ExitCase(c.id(), c.family(), c.variant(), c.mode(), c.exit(), c.insn(), c.cpl(),
                            c.regs(), c.pages(), c.mem(), c.ports(), c.access(), c.io(), fixed, "hw"));
                }
            }
            if (kvm != null) {
                // The same cases through KVM: its device accesses join where it agrees with the processor.
                Map<String, ExitCase> byKvm = kvm.run(done, "merge-" + mode.label(), log);
                List<ExitCase> merged = new ArrayList<>();
                for (ExitCase c : done) {
                    ExitCase k = byKvm.get(c.id());
                    if (k == null || k.expect() == null) {
                        merged.add(c);
                        continue;
                    }
                    List<String> diff = Disagreements.differences(c, k);
                    String bug = Disagreements.kvmOracleProblem(k, metas.get(c.id()).rep());
                    if (diff.isEmpty() && bug != null) {
                        diff = List.of(bug);
                    }
                    if (!diff.isEmpty()) {
                        disagreements.add(c, diff);
                        merged.add(c);
                        continue;
                    }
                    Expectation e = c.expect();
                    merged.add(withExpect(c, new Expectation(e.status(), e.fault(), e.regs(), e.flagsMask(), e.mem(),
                            k.expect().accesses() == null ? List.of() : k.expect().accesses()), "hw+kvm"));
                }
                done = merged;
            }
            Path target = out.resolve("hw-" + mode.label() + ".jsonl.gz");
            write(target, done, table, log);
        }
        checks.report(log);

        if (kvm != null) {
            // KVM alone: real16, prot16, prot32, and port I/O in every mode.
            OracleChecks kchecks = new OracleChecks(metas);
            for (CpuMode mode : kvmModes) {
                List<Generated> cases = gen.generateKvm(mode, kvmPerForm, ioPerForm);
                List<ExitCase> raw = new ArrayList<>();
                for (Generated g : cases) {
                    raw.add(g.exitCase());
                    metas.put(g.meta().id(), g.meta());
                }
                log.println(mode.label() + ": generated " + raw.size() + " cases for the KVM oracle alone");
                Map<String, ExitCase> byKvm = kvm.run(raw, "kvm-" + mode.label(), log);
                List<ExitCase> done = new ArrayList<>();
                for (ExitCase r : raw) {
                    ExitCase c = byKvm.get(r.id());
                    if (c == null || c.expect() == null) {
                        continue;
                    }
                    Meta meta = metas.get(c.id());
                    String problem = kvm.outside().contains(c.id()) ? "KVM wrote outside the case's mem regions"
                            : kchecks.problem(c, meta);
                    if (problem == null) {
                        problem = Disagreements.kvmOracleProblem(c, meta.rep());
                    }
                    if (problem != null) {
                        kchecks.reject(c, problem);
                        if (problem.startsWith("KVM bug") || problem.startsWith("host")) {
                            disagreements.addKvmOnly(c, problem);
                        }
                        continue;
                    }
                    Expectation e = c.expect();
                    done.add(withExpect(c, new Expectation(e.status(), e.fault(), e.regs(), meta.flagsMask(), e.mem(),
                            e.accesses() == null ? List.of() : e.accesses()), "kvm"));
                }
                write(out.resolve("kvm-" + mode.label() + ".jsonl.gz"), done, table, log);
            }
            log.println("KVM-only cases:");
            kchecks.report(log);
            Path report = out.getParent() == null ? Path.of("kvm-disagreements.md") : out.getParent().resolve("kvm-disagreements.md");
            disagreements.write(report);
            log.println("KVM vs processor: " + disagreements.count() + " disagreements, see " + report);
        }

        log.println("family mode source: cases (ok / fault)");
        int total = 0;
        for (Map.Entry<String, int[]> en : table.entrySet()) {
            log.printf("  %-32s %6d (%d / %d)%n", en.getKey(), en.getValue()[0], en.getValue()[1], en.getValue()[2]);
            total += en.getValue()[0];
        }
        log.println("total " + total + " cases");
    }

    static ExitCase withExpect(ExitCase c, Expectation e, String source) {
        return new ExitCase(c.id(), c.family(), c.variant(), c.mode(), c.exit(), c.insn(), c.cpl(), c.regs(), c.pages(),
                c.mem(), c.ports(), c.access(), c.io(), e, source);
    }

    /** Reads an oracle's stderr: the ids it warned wrote outside the regions; prints skip reasons. */
    static Set<String> outsideWrites(Path log, String label, String summaryPrefix, PrintStream out) throws IOException {
        Set<String> outside = new HashSet<>();
        Map<String, Integer> skipReasons = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(log)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("warn ") && line.contains("write outside the mem regions")) {
                    outside.add(line.substring(5, line.indexOf(':')));
                } else if (line.startsWith("skip ")) {
                    String reason = line.substring(line.indexOf(": ") + 2).replaceAll("0x[0-9a-f]+", "N");
                    skipReasons.merge(reason, 1, Integer::sum);
                } else if (line.startsWith(summaryPrefix)) {
                    out.println(label + ": " + line);
                }
            }
        }
        skipReasons.forEach((why, n) -> out.println(label + ": oracle skipped " + n + ": " + why));
        return outside;
    }

    static void write(Path target, List<ExitCase> cases, Map<String, int[]> table, PrintStream log) throws IOException {
        try (CaseWriter w = gzipWriter(target)) {
            for (ExitCase c : cases) {
                w.write(c);
                int[] counts = table.computeIfAbsent(c.family() + " " + c.mode().label() + " " + c.source(), k -> new int[3]);
                counts[0]++;
                counts[c.expect().status() == ExitCase.Status.OK ? 1 : 2]++;
            }
        }
        log.println("wrote " + cases.size() + " cases to " + target + " (" + Files.size(target) + " bytes)");
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
                + " [--modes long64,compat32,compat16] [--jobs N] [--kvm-oracle BIN] [--kvm-per-form N] [--io-per-form N]"
                + " [--kvm-modes real16,prot16,prot32,long64,compat32,compat16]");
        System.err.println("       CaseGenerator --spec DIR --raw FILE [--modes ...]   (generate only)");
        System.exit(2);
    }
}
