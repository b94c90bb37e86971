package dev.hvex.conformance.generate;

import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseRunner;
import dev.hvex.conformance.Difference;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.InvalidCaseException;
import dev.hvex.conformance.ReplayResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Replays case files through the emulator with the conformance runner and sums up: pass counts per
 * family x mode, and the failures grouped by pattern (family, what differs) with examples. Used by
 * {@code CommittedCasesTest} and runnable on its own:
 * {@code CaseReplay conformance/cases [more files or folders]}.
 */
public final class CaseReplay {
    /** One failing case. */
    public record Failure(String id, String mode, String family, String variant, String insn, List<Difference> differences,
                          String note) {
        /** The pattern a failure is grouped under: family and the kinds of field that differ. */
        public String pattern() {
            TreeMap<String, Boolean> fields = new TreeMap<>();
            for (Difference d : differences) {
                fields.put(d.field().replaceAll("\\[.*", "").replaceAll("^(xmm|r)\\d+$", "$1N"), true);
            }
            return family + ": " + String.join(" ", fields.keySet());
        }

        public String describe() {
            StringBuilder sb = new StringBuilder(id).append(" [").append(variant).append("] insn ").append(insn);
            for (Difference d : differences) {
                sb.append("\n      ").append(d);
            }
            if (note != null) {
                sb.append("\n      note: ").append(note);
            }
            return sb.toString();
        }
    }

    private final Map<String, int[]> counts = new TreeMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private int total;

    /** The committed case files under {@code dir} ({@code *.jsonl} and {@code *.jsonl.gz}), sorted. */
    public static List<Path> caseFiles(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.jsonl(\\.gz)?")).sorted().toList();
        }
    }

    /** Replays every case of {@code file}. */
    public void replay(Path file) throws IOException {
        try (CaseReader reader = CaseReader.open(file)) {
            replay(reader);
        }
    }

    /** Replays every case of {@code cases}, counting passes and collecting failures. */
    public void replay(Iterable<ExitCase> cases) {
        try (CaseRunner runner = new CaseRunner()) {
            for (ExitCase c : cases) {
                total++;
                String key = c.familyOrGuess() + " " + c.mode().label();
                int[] n = counts.computeIfAbsent(key, k -> new int[2]);
                List<Difference> diffs;
                String note = null;
                try {
                    ReplayResult r = runner.replay(c);
                    diffs = r.differences();
                    note = r.callbackFailure();
                } catch (InvalidCaseException e) {
                    diffs = List.of(new Difference("case", "a consistent case", e.problem()));
                }
                if (diffs.isEmpty()) {
                    n[0]++;
                } else {
                    n[1]++;
                    failures.add(new Failure(c.id(), c.mode().label(), c.familyOrGuess(), c.variant(), c.insn().hex(),
                            diffs, note));
                }
            }
        }
    }

    public int total() {
        return total;
    }

    public List<Failure> failures() {
        return failures;
    }

    /** Passed and failed per "family mode". */
    public Map<String, int[]> counts() {
        return counts;
    }

    /** The failures by pattern, most frequent first. */
    public Map<String, List<Failure>> byPattern() {
        Map<String, List<Failure>> m = new TreeMap<>();
        for (Failure f : failures) {
            m.computeIfAbsent(f.pattern(), k -> new ArrayList<>()).add(f);
        }
        return m;
    }

    public void printCounts(PrintStream out) {
        out.println("family mode: passed / cases");
        counts.forEach((k, n) -> out.printf("  %-22s %6d / %d%s%n", k, n[0], n[0] + n[1], n[1] > 0 ? "   FAILED " + n[1] : ""));
        out.println("total: " + (total - failures.size()) + " / " + total + " passed");
    }

    public void printFailures(PrintStream out, int examples) {
        List<Map.Entry<String, List<Failure>>> groups = new ArrayList<>(byPattern().entrySet());
        groups.sort((a, b) -> b.getValue().size() - a.getValue().size());
        for (Map.Entry<String, List<Failure>> g : groups) {
            out.println(g.getValue().size() + " x " + g.getKey());
            for (Failure f : g.getValue().subList(0, Math.min(examples, g.getValue().size()))) {
                out.println("    " + f.describe());
            }
        }
    }

    public static void main(String[] args) throws IOException {
        CaseReplay replay = new CaseReplay();
        int examples = 3;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--examples")) {
                examples = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--ids")) {
                // handled below
            } else {
                files.addAll(caseFiles(Path.of(args[i])));
            }
        }
        for (Path f : files) {
            replay.replay(f);
        }
        replay.printCounts(System.out);
        replay.printFailures(System.out, examples);
        if (List.of(args).contains("--ids")) {
            for (Failure f : replay.failures) {
                System.out.println("FAIL " + f.id() + " " + f.pattern());
            }
        }
    }
}
