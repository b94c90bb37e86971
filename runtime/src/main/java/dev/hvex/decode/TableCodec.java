package dev.hvex.decode;

/**
 * Unpacks the tables of the generated classes (dev.hvex.gen). The packing is the generator's
 * {@code TableEncoding}: zigzag ints in 5-bit groups, one char each ({@code '0' + group}, plus 32 when
 * more groups follow); strings joined by newlines. Runs once per table, at class initialization.
 */
public final class TableCodec {
    private TableCodec() {
    }

    public static int[] ints(int count, String... chunks) {
        int[] out = new int[count];
        int n = 0;
        int z = 0;
        int shift = 0;
        for (String chunk : chunks) {
            for (int i = 0; i < chunk.length(); i++) {
                int c = chunk.charAt(i) - '0';
                z |= (c & 31) << shift;
                if (c >= 32) {
                    shift += 5;
                } else {
                    out[n++] = (z >>> 1) ^ -(z & 1);
                    z = 0;
                    shift = 0;
                }
            }
        }
        if (n != count) {
            throw new IllegalStateException("generated table has " + n + " values, expected " + count);
        }
        return out;
    }

    public static String[] strings(int count, String... chunks) {
        String[] out = new String[count];
        int n = 0;
        for (String chunk : chunks) {
            int start = 0;
            for (int i = 0; i < chunk.length(); i++) {
                if (chunk.charAt(i) == '\n') {
                    out[n++] = chunk.substring(start, i);
                    start = i + 1;
                }
            }
        }
        if (n != count) {
            throw new IllegalStateException("generated table has " + n + " strings, expected " + count);
        }
        return out;
    }
}
