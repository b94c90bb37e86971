package dev.hvex.conformance;

import dev.hvex.EmulatorStatus;

/**
 * A copy of an {@link EmulatorStatus} (which the emulator reuses), or the exception the emulator threw.
 *
 * @param crash what the emulator threw instead of returning, else null
 */
public record Outcome(int bits, EmulatorStatus.Reason reason, int vector, boolean hasErrorCode, int errorCode,
                      long cr2, String description, Throwable crash) {

    public static Outcome of(EmulatorStatus s) {
        return new Outcome(s.bits(), s.reason(), s.exceptionVector(), s.exceptionHasErrorCode(),
                s.exceptionErrorCode(), s.exceptionCr2(), s.describe(), null);
    }

    public static Outcome crashed(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        String where = trace.length > 0 ? " at " + trace[0] : "";
        return new Outcome(0, EmulatorStatus.Reason.NONE, -1, false, 0, 0,
                "threw " + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()) + where, t);
    }

    public boolean successful() {
        return crash == null && (bits & EmulatorStatus.EMULATION_SUCCESSFUL) != 0;
    }

    public boolean exceptionPending() {
        return crash == null && (bits & EmulatorStatus.EXCEPTION_PENDING) != 0;
    }

    public boolean unsupported() {
        return crash == null && (bits & EmulatorStatus.INTERNAL_EMULATION_FAILURE) != 0
                && reason == EmulatorStatus.Reason.UNSUPPORTED_INSTRUCTION;
    }

    /** One word for tables: ok, fault, unsupported, failed, crashed. */
    public String word() {
        if (crash != null) {
            return "crashed";
        }
        if (successful()) {
            return "ok";
        }
        if (exceptionPending()) {
            return "fault";
        }
        return unsupported() ? "unsupported" : "failed";
    }

    /** A finer key for tables: ok, #GP, #PF ..., unsupported, failed (reason), crashed. */
    public String category() {
        if (exceptionPending()) {
            return EmulatorStatus.vectorName(vector);
        }
        if (crash == null && !successful() && !unsupported()) {
            return reason == EmulatorStatus.Reason.NONE ? "failed" : "failed " + reason.name().toLowerCase(java.util.Locale.ROOT);
        }
        return word();
    }

    /** The exception to inject, as text ({@code #PF error 0x2 cr2 0x1000}), or null. */
    public String injection() {
        if (!exceptionPending()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(EmulatorStatus.vectorName(vector));
        if (hasErrorCode) {
            sb.append(" error ").append(Hex.u64(errorCode & 0xffffffffL));
        }
        if (vector == 14) {
            sb.append(" cr2 ").append(Hex.u64(cr2));
        }
        return sb.toString();
    }
}
