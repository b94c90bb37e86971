package dev.hvex.hostile;

/**
 * Bugs found by these tests and not yet fixed: the fuzz invariants skip exactly these cases, so that
 * fuzzing keeps finding new ones, and each has a {@code @Disabled} regression test in
 * {@link RegressionTest}. Set a flag to false once the bug is fixed (and enable its test).
 */
final class KnownBugs {
    private KnownBugs() {
    }

    /**
     * VM86: the engine never read CR0, so whether it translated depended on the previous exit (and
     * fetches were never translated). Fixed in ff80a46; kept as a switch for bisecting.
     */
    static final boolean VM86_STALE_CR0 = false;

    /** VM86: a segment-limit #GP/#SS comes without its error code (real-mode rule applied to VM86). */
    static final boolean VM86_LIMIT_FAULT_WITHOUT_ERROR_CODE = false;
}
