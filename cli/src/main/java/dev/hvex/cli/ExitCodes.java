package dev.hvex.cli;

/** The exit codes of every hvex command. */
final class ExitCodes {
    /** Done; for conform: nothing failed. */
    static final int OK = 0;
    /** conform: a case failed; emulate --case: the expectation did not hold. */
    static final int FAILED = 1;
    /** Bad input: one line on stderr names the input and the problem. */
    static final int BAD_INPUT = 2;
    /** hvex itself went wrong (a bug): one line, the stack trace with --debug. */
    static final int INTERNAL = 3;

    private ExitCodes() {
    }
}
