package dev.hvex.conformance;

import dev.hvex.Register;
import dev.hvex.RegisterValues;

/**
 * A register's value as the two longs of a {@link RegisterValues} batch entry, laid out by the register's
 * {@link Register.Kind}: a 64-bit value in {@code low}; a segment's base in {@code low} and limit,
 * selector and attributes packed in {@code high}; a table's base and 16-bit limit; a vector's bits 63:0 and 127:64.
 */
public record RegValue(long low, long high) {
    public static RegValue of(long value) {
        return new RegValue(value, 0);
    }

    public static RegValue segment(int selector, long base, int limit, int attributes) {
        return new RegValue(base, RegisterValues.packSegment(limit, selector, attributes));
    }

    public static RegValue table(long base, int limit) {
        return new RegValue(base, limit & 0xffffL);
    }

    public int selector() {
        return RegisterValues.segmentSelector(high);
    }

    public int limit() {
        return RegisterValues.segmentLimit(high);
    }

    public int attributes() {
        return RegisterValues.segmentAttributes(high);
    }

    /** Whether the two values are the same register value for a register of {@code kind} (unused bits ignored). */
    public static boolean same(Register.Kind kind, long lowA, long highA, long lowB, long highB) {
        switch (kind) {
            case GPR:
                return lowA == lowB;
            case TABLE:
                return lowA == lowB && (highA & 0xffff) == (highB & 0xffff);
            default:
                return lowA == lowB && highA == highB;
        }
    }

    /** The value as text: {@code 0x..} for a 64-bit value, {@code {sel base limit attr}} for a segment. */
    public static String format(Register.Kind kind, long low, long high) {
        switch (kind) {
            case GPR:
                return Hex.u64(low);
            case SEGMENT:
                return "{sel " + Hex.u64(RegisterValues.segmentSelector(high)) + " base " + Hex.u64(low)
                        + " limit " + Hex.u64(RegisterValues.segmentLimit(high) & 0xffffffffL)
                        + " attr " + Hex.u64(RegisterValues.segmentAttributes(high)) + "}";
            case TABLE:
                return "{base " + Hex.u64(low) + " limit " + Hex.u64(high & 0xffff) + "}";
            default:
                return Hex.u128(high, low);
        }
    }

    public String format(Register r) {
        return format(r.kind(), low, high);
    }
}
