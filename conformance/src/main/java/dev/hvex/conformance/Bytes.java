package dev.hvex.conformance;

import java.util.Arrays;

/** An immutable byte string, written in case files as plain hex without spaces. */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code count} bytes of {@code source} from {@code offset}. */
    public static Bytes of(byte[] source, int offset, int count) {
        return new Bytes(Arrays.copyOfRange(source, offset, offset + count));
    }

    public static Bytes of(byte[] source) {
        return of(source, 0, source.length);
    }

    /**
     * Parses plain hex (an even number of digits, no prefix, no spaces).
     *
     * @throws IllegalArgumentException naming the first bad digit and its position (1-based)
     */
    public static Bytes ofHex(CharSequence hex) {
        int n = hex.length();
        for (int i = 0; i < n; i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("bad hex digit '" + hex.charAt(i) + "' at position " + (i + 1));
            }
        }
        if ((n & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + n + ")");
        }
        byte[] b = new byte[n / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (Character.digit(hex.charAt(2 * i), 16) << 4 | Character.digit(hex.charAt(2 * i + 1), 16));
        }
        return new Bytes(b);
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** Byte {@code i}, 0..255. */
    public int get(int i) {
        return bytes[i] & 0xff;
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    /** Copies the bytes into {@code dest} at {@code offset}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(bytes, 0, dest, offset, bytes.length);
    }

    public String hex() {
        return toHex(bytes, 0, bytes.length);
    }

    public static String toHex(byte[] b, int offset, int count) {
        char[] c = new char[2 * count];
        for (int i = 0; i < count; i++) {
            int v = b[offset + i] & 0xff;
            c[2 * i] = Character.forDigit(v >>> 4, 16);
            c[2 * i + 1] = Character.forDigit(v & 15, 16);
        }
        return new String(c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes && Arrays.equals(bytes, ((Bytes) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
