package dev.hvex.interp;

/**
 * Unwinds an emulation that must stop (a fault to inject, a failed callback, an unsupported form).
 * One preallocated instance without a stack trace: the outcome itself is recorded in the engine before
 * the throw, so aborting allocates nothing.
 */
final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Abort INSTANCE = new Abort();

    private Abort() {
        super("emulation aborted", null, false, false);
    }
}
