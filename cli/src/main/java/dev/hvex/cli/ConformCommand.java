package dev.hvex.cli;

import dev.hvex.CpuMode;
import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseRunner;
import dev.hvex.conformance.Difference;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.InvalidCaseException;
import dev.hvex.conformance.ReplayResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hvex conform}: replay test vectors and compare with their expectations. */
@Command(name = "conform", mixinStandardHelpOptions = true,
        description = {"Replay every exit case of the files (.jsonl or .jsonl.gz, see conformance/FORMAT.md) and compare "
            + "the outcome with its expectation. Prints each failing case (id, file:line, and what differs: expected "
            + "vs got), then passed/failed counts per family and mode, then 'N passed, N failed' "
            + "(', N skipped' for cases without an expectation).",
            "Exit code: 0 nothing failed, 1 a case failed, 2 unreadable input."},
        footerHeading = "%nExample:%n",
        footer = {"  hvex conform conformance/src/test/resources/conformance/sample.jsonl cases-*.jsonl.gz"})
final class ConformCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Case files.")
    List<String> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<Path> paths = new ArrayList<>();
        for (String f : files) {
            paths.add(Inputs.readableFile(f));
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Map<CpuMode, int[]>> table = new TreeMap<>();
        Set<CpuMode> modes = EnumSet.noneOf(CpuMode.class);
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        try (CaseRunner runner = new CaseRunner()) {
            for (Path p : paths) {
                try (CaseReader reader = Inputs.openCases(p)) {
                    for (ExitCase c : reader) {
                        if (c.expect() == null) {
                            skipped++;
                            continue;
                        }
                        ReplayResult r;
                        try {
                            r = runner.replay(runner.prepare(c));
                        } catch (InvalidCaseException e) {
                            throw new BadInputException(p + ":" + reader.line() + ": " + e.getMessage());
                        }
                        int[] cell = table.computeIfAbsent(c.familyOrGuess(), k -> new TreeMap<>()).computeIfAbsent(c.mode(), k -> new int[2]);
                        modes.add(c.mode());
                        if (r.passed()) {
                            passed++;
                            cell[0]++;
                        } else {
                            failed++;
                            cell[1]++;
                            out.println("FAIL " + c.id() + " (" + p + ":" + reader.line() + ")");
                            for (Difference d : r.differences()) {
                                out.println("    " + d);
                            }
                            if (r.callbackFailure() != null) {
                                out.println("    note: " + r.callbackFailure());
                            }
                            if (r.outcome().crash() != null && debugOption.debug) {
                                r.outcome().crash().printStackTrace(out);
                            }
                        }
                    }
                }
            }
        }
        if (!table.isEmpty()) {
            if (failed > 0) {
                out.println();
            }
            printTable(out, table, modes);
            out.println();
        }
        out.println(passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        out.flush();
        return failed > 0 ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private static void printTable(PrintWriter out, Map<String, Map<CpuMode, int[]>> table, Set<CpuMode> modes) {
        List<String> header = new ArrayList<>();
        header.add("passed/failed");
        for (CpuMode m : modes) {
            header.add(m.label());
        }
        header.add("all");
        Table t = new Table(header.toArray(new String[0]));
        int[][] columnTotals = new int[modes.size() + 1][2];
        for (Map.Entry<String, Map<CpuMode, int[]>> family : table.entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(family.getKey());
            int[] total = new int[2];
            int col = 0;
            for (CpuMode m : modes) {
                int[] cell = family.getValue().get(m);
                row.add(cell == null ? "-" : cell[0] + "/" + cell[1]);
                if (cell != null) {
                    total[0] += cell[0];
                    total[1] += cell[1];
                    columnTotals[col][0] += cell[0];
                    columnTotals[col][1] += cell[1];
                }
                col++;
            }
            row.add(total[0] + "/" + total[1]);
            columnTotals[col][0] += total[0];
            columnTotals[col][1] += total[1];
            t.row(row.toArray(new String[0]));
        }
        List<String> last = new ArrayList<>();
        last.add("all");
        for (int[] c : columnTotals) {
            last.add(c[0] + "/" + c[1]);
        }
        t.row(last.toArray(new String[0]));
        t.print(out);
    }
}
