package dev.hvex.decode;

/** What {@link Decoder#decode} returns. Plain ints so that decoding allocates nothing. */
public final class DecodeStatus {
    public static final int OK = 0;
    /** The bytes end before the instruction does (and it is not over 15 bytes yet): fetch more. */
    public static final int NEED_MORE_BYTES = 1;
    /** The instruction would be longer than 15 bytes: #GP(0) (SDM Vol. 2 2.3.11). */
    public static final int TOO_LONG = 2;
    /** No instruction has this encoding: #UD. */
    public static final int UNDEFINED = 3;
    /** The encoding exists but not in this mode (PUSH ES in 64-bit mode, MOVSXD outside it): #UD. */
    public static final int INVALID_IN_MODE = 4;
    /** LOCK on an instruction or operand form that does not allow it: #UD. */
    public static final int LOCK_NOT_ALLOWED = 5;

    private static final String[] NAMES = {"ok", "need-more-bytes", "too-long", "undefined", "invalid-in-mode",
        "lock-not-allowed"};

    private DecodeStatus() {
    }

    public static String name(int status) {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "status " + status;
    }
}
