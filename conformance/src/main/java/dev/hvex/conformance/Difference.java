package dev.hvex.conformance;

/** One way a replay's outcome differs from the case's expectation. */
public record Difference(String field, String expected, String got) {
    /** {@code rdx: expected 0xe1, got 0x7c}. */
    @Override
    public String toString() {
        return field + ": expected " + expected + ", got " + got;
    }
}
