package dev.hvex.conformance;

/** The number spellings of case files: {@code 0x}-prefixed lower-case hex. */
public final class Hex {
    private Hex() {
    }

    public static String u64(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** A 128-bit value as {@code 0x} and 32 hex digits, most significant first. */
    public static String u128(long high, long low) {
        return "0x" + pad16(high) + pad16(low);
    }

    private static String pad16(long v) {
        String s = Long.toHexString(v);
        return "0".repeat(16 - s.length()) + s;
    }

    /**
     * Parses an unsigned number: {@code 0x} hex, or decimal digits. Underscores may separate digits.
     *
     * @param bits the width the value must fit (1..64)
     * @throws NumberFormatException with a one-line reason (bad digit and its 1-based position, or out of range)
     */
    public static long parseUnsigned(String text, int bits) {
        boolean hex = text.startsWith("0x") || text.startsWith("0X");
        int radix = hex ? 16 : 10;
        long limit = Long.divideUnsigned(-1L, radix);
        long value = 0;
        int digits = 0;
        for (int i = hex ? 2 : 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_' && digits > 0) {
                continue;
            }
            int d = Character.digit(c, radix);
            if (d < 0) {
                throw new NumberFormatException("bad " + (hex ? "hex" : "decimal") + " digit '" + c
                        + "' at position " + (i + 1) + " of '" + text + "'");
            }
            digits++;
            if (Long.compareUnsigned(value, limit) > 0) {
                throw outOfRange(text, bits);
            }
            long shifted = value * radix;
            long next = shifted + d;
            if (Long.compareUnsigned(next, shifted) < 0) {
                throw outOfRange(text, bits);
            }
            value = next;
        }
        if (digits == 0) {
            throw new NumberFormatException("no digits in '" + text + "'");
        }
        if (bits < 64 && (value >>> bits) != 0) {
            throw outOfRange(text, bits);
        }
        return value;
    }

    private static NumberFormatException outOfRange(String text, int bits) {
        return new NumberFormatException(text + " is out of range (more than " + bits + " bits)");
    }

    /** A 128-bit value from {@code 0x} and up to 32 hex digits: {high, low}. */
    public static long[] parseU128(String text) {
        if (!(text.startsWith("0x") || text.startsWith("0X"))) {
            throw new NumberFormatException("a 128-bit value must be 0x and up to 32 hex digits: '" + text + "'");
        }
        String digits = text.substring(2).replace("_", "");
        if (digits.isEmpty()) {
            throw new NumberFormatException("no digits in '" + text + "'");
        }
        if (digits.length() > 32) {
            throw new NumberFormatException(text + " is out of range (more than 128 bits)");
        }
        int split = Math.max(0, digits.length() - 16);
        long high = split == 0 ? 0 : parseUnsigned("0x" + digits.substring(0, split), 64);
        long low = parseUnsigned("0x" + digits.substring(split), 64);
        return new long[] {high, low};
    }
}
