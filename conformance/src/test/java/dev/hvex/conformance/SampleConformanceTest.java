package dev.hvex.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.hvex.conformance.generate.CaseReplay;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays the committed sample cases (KVM-produced and processor-produced) through the runner and the
 * real emulator. On failure the message lists every failing case id with its differences.
 */
class SampleConformanceTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sample.jsonl", "sample-hw.jsonl"})
    void everySampleCasePasses(String file) {
        CaseReplay replay = new CaseReplay();
        replay.replay(Cases.resource(file));
        if (!replay.failures().isEmpty()) {
            fail(file + ": " + replay.failures().size() + " of " + replay.total() + " cases failed\n"
                + replay.failures().stream().map(f -> "  " + f.describe()).collect(Collectors.joining("\n")));
        }
    }
}
