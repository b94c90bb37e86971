package dev.hvex.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays the committed sample cases (KVM-produced and processor-produced) through the runner and the
 * real emulator. On failure the message lists every failing case id with its differences.
 */
class SampleConformanceTest {
    /** Differences shown per failing case; the rest are counted. */
    private static final int SHOWN = 8;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sample.jsonl", "sample-hw.jsonl"})
    void everySampleCasePasses(String file) {
        List<ExitCase> cases = Cases.resource(file);
        List<String> failures = new ArrayList<>();
        Map<String, int[]> byFamily = new TreeMap<>();
        try (CaseRunner runner = new CaseRunner()) {
            for (ExitCase c : cases) {
                int[] counts = byFamily.computeIfAbsent(c.familyOrGuess(), k -> new int[2]);
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
                    counts[0]++;
                    continue;
                }
                counts[1]++;
                StringBuilder sb = new StringBuilder("  ").append(c.id());
                for (int i = 0; i < Math.min(SHOWN, diffs.size()); i++) {
                    sb.append("\n      ").append(diffs.get(i));
                }
                if (diffs.size() > SHOWN) {
                    sb.append("\n      ... ").append(diffs.size() - SHOWN).append(" more differences");
                }
                if (note != null) {
                    sb.append("\n      note: ").append(note);
                }
                failures.add(sb.toString());
            }
        }
        if (!failures.isEmpty()) {
            StringBuilder msg = new StringBuilder();
            msg.append(file).append(": ").append(failures.size()).append(" of ").append(cases.size()).append(" cases failed");
            msg.append("\n  failed/total by family:");
            byFamily.forEach((family, n) -> {
                if (n[1] > 0) {
                    msg.append(' ').append(family).append(' ').append(n[1]).append('/').append(n[0] + n[1]);
                }
            });
            msg.append('\n');
            msg.append(String.join("\n", failures));
            fail(msg.toString());
        }
    }
}
