package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The whole emulator on a hostile exit: guest-chosen instruction bytes, mode, registers, segments,
 * memory and page-table answers, and a VMM whose callbacks fail or throw at a chosen call. The input
 * format is {@link Scenario}'s; the invariants are {@link Harness#check}'s (no escaping exception,
 * defined statuses, 8-byte page-local device accesses, no register writes on failure or fault except REP
 * progress, no device access by a faulting non-REP instruction, bounded callbacks, and agreement of the
 * interpreter, the specialized handler, the cached path, a shared evicting cache and an emulator with
 * history).
 *
 * <p>{@code mvn test} replays the committed inputs in EmulatorFuzzTestInputs/emulate; fuzzing: SECURITY.md.
 */
class EmulatorFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void emulate(byte[] data) {
        assertThat(Harness.check(data)).as("violations").isEmpty();
    }
}
