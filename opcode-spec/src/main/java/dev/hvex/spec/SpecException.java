package dev.hvex.spec;

/** A broken spec file: the message is one line, {@code file:line: reason}. */
public final class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpecException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
    }
}
