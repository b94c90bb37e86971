package dev.hvex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.EmulatorOptions;
import dev.hvex.jit.HandlerCache;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every case through both tiers: the interpreter alone, and the handler cache with specialization on
 * first sight (run twice, so the second run takes the cached path). Status, register changes, memory
 * changes and device accesses must be identical.
 */
class TierDifferentialTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sample.jsonl", "sample-hw.jsonl"})
    void specializedHandlersMatchTheInterpreter(String file) {
        check(Cases.resource(file));
    }

    @org.junit.jupiter.api.Test
    void committedProcessorCasesToo() throws java.io.IOException {
        for (java.nio.file.Path f : dev.hvex.conformance.generate.CaseReplay.caseFiles(
                dev.hvex.conformance.generate.CommittedCasesTestAccess.casesDir())) {
            try (CaseReader r = CaseReader.open(f)) {
                List<ExitCase> cases = new ArrayList<>();
                for (ExitCase c : r) {
                    cases.add(c);
                    if (cases.size() == 2000) {
                        check(cases);
                        cases.clear();
                    }
                }
                check(cases);
            }
        }
    }

    private static void check(List<ExitCase> cases) {
        HandlerCache cache = new HandlerCache(1 << 12);
        EmulatorOptions base = CaseRunner.conformanceOptions();
        List<String> mismatches = new ArrayList<>();
        try (CaseRunner interpreter = new CaseRunner(base.withSpecialize(false));
             CaseRunner specialized = new CaseRunner(base.withCache(cache).withSpecializeThreshold(0))) {
            for (ExitCase c : cases) {
                String want = summary(interpreter.replay(c));
                String first = summary(specialized.replay(c));
                String cached = summary(specialized.replay(c));
                if (!want.equals(first) || !want.equals(cached)) {
                    mismatches.add(c.id() + "\n   interpreter: " + want + "\n   specialized: " + first
                        + "\n   cached:      " + cached);
                }
            }
        }
        assertThat(mismatches).as("cases where the tiers disagree").isEmpty();
        if (!cases.isEmpty()) {
            assertThat(cache.specializations()).isPositive();
        }
    }

    static String summary(ReplayResult r) {
        return r.outcome() + " " + r.registerChanges() + " " + r.memoryChanges() + " " + r.accesses();
    }
}
