package dev.hvex.spec;

import java.util.List;
import java.util.Locale;

/**
 * One operand token of the spec ({@code Ev}, {@code Ib}, {@code AL}): an addressing method and a size,
 * in the letters of the SDM's opcode-map appendix. The token's meaning is documented in README.md.
 */
public record Operand(String token, Method method, Size size) {

    /** Addressing methods. Fixed operands (AL, DX, ONE ...) are methods of their own. */
    public enum Method {
        E, G, M, R, Z, I, J, O, X, Y, S, C, D, V, U, W, H, B, P, N, Q, A,
        AL, AX, EAX, RAX, DX, CL, ONE, ST, STI;

        public boolean usesModrm() {
            switch (this) {
                case E: case G: case M: case R: case S: case C: case D: case V: case U: case W:
                case P: case N: case Q:
                    return true;
                default:
                    return false;
            }
        }
    }

    /** Operand sizes. */
    public enum Size {
        NONE, B, W, D, Q, V, Z, Y, BS, DQ, X, SS, SD, PS, PD, P, QQ
    }

    private static final List<String> FIXED = List.of("AL", "AX", "eAX", "rAX", "DX", "CL", "ONE", "ST", "STi");

    /** Parses a token; returns null when it is not in the vocabulary. */
    public static Operand parse(String token) {
        if (FIXED.contains(token)) {
            Method m = Method.valueOf(token.toUpperCase(Locale.ROOT));
            Size s;
            switch (m) {
                case AL: case CL: s = Size.B; break;
                case AX: case DX: s = Size.W; break;
                case EAX: s = Size.Z; break;
                case RAX: s = Size.V; break;
                default: s = Size.NONE;
            }
            return new Operand(token, m, s);
        }
        if (token.isEmpty()) {
            return null;
        }
        Method method;
        try {
            method = Method.valueOf(token.substring(0, 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (method.ordinal() > Method.A.ordinal()) {
            return null;
        }
        String rest = token.substring(1);
        Size size;
        if (rest.isEmpty()) {
            if (method != Method.M) {
                return null;
            }
            size = Size.NONE;
        } else {
            try {
                size = Size.valueOf(rest.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (size == Size.NONE || !rest.equals(rest.toLowerCase(Locale.ROOT))) {
                return null;
            }
        }
        if (size == Size.BS && method != Method.I) {
            return null;
        }
        return new Operand(token, method, size);
    }

    /** Bytes of immediate data this operand contributes, given operand size and address size; -1 = n/a. */
    public boolean isImmediate() {
        return method == Method.I || method == Method.J || method == Method.O || method == Method.A;
    }
}
