package dev.hvex.conformance;

import dev.hvex.Register;
import java.util.List;

/**
 * What replaying one case did, and how it compares with the case's expectation.
 *
 * @param differences     empty when the replay matches (or when the case has no expectation)
 * @param callbackFailure why the runner's memory callback failed, if it did (a diagnostic), else null
 */
public record ReplayResult(ExitCase exitCase, Outcome outcome, List<DeviceAccess> accesses,
                           List<RegisterChange> registerChanges, List<MemoryChange> memoryChanges,
                           List<Difference> differences, String callbackFailure) {

    public ReplayResult {
        accesses = List.copyOf(accesses);
        registerChanges = List.copyOf(registerChanges);
        memoryChanges = List.copyOf(memoryChanges);
        differences = List.copyOf(differences);
    }

    /** Whether the case had an expectation to check. */
    public boolean checked() {
        return exitCase.expect() != null;
    }

    /** Checked and no difference. */
    public boolean passed() {
        return checked() && differences.isEmpty();
    }

    /** A register the emulator changed. */
    public record RegisterChange(Register register, RegValue before, RegValue after) {
        @Override
        public String toString() {
            return RegisterNames.nameOf(register) + ": " + before.format(register) + " -> " + after.format(register);
        }
    }

    /** A run of bytes the emulator changed. */
    public record MemoryChange(long gpa, Bytes before, Bytes after) {
        @Override
        public String toString() {
            return "mem " + Hex.u64(gpa) + ": " + before.hex() + " -> " + after.hex();
        }
    }
}
