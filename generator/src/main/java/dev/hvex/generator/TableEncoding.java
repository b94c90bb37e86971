package dev.hvex.generator;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs int arrays into printable string literals for the generated classes: a table of thousands of
 * ints written as an array initializer would push a class initializer past the JVM's 64 KB method limit.
 *
 * <p>Scheme (mirrored by {@code dev.hvex.decode.TableCodec} in the runtime): each int is zigzag-encoded
 * and written as little-endian groups of 5 bits, one char per group, char = {@code '0' + group}, with 32
 * added on every group but the last. Strings are cut into chunks of at most {@link #CHUNK} chars, because
 * a class-file string constant holds at most 65535 bytes.
 */
final class TableEncoding {
    static final int CHUNK = 16000;

    private TableEncoding() {
    }

    static List<String> encode(int[] values) {
        StringBuilder sb = new StringBuilder();
        List<String> chunks = new ArrayList<>();
        for (int v : values) {
            int z = (v << 1) ^ (v >> 31);
            do {
                int group = z & 31;
                z >>>= 5;
                sb.append((char) ('0' + group + (z != 0 ? 32 : 0)));
            } while (z != 0);
            if (sb.length() >= CHUNK) {
                chunks.add(sb.toString());
                sb.setLength(0);
            }
        }
        if (sb.length() > 0 || chunks.isEmpty()) {
            chunks.add(sb.toString());
        }
        return chunks;
    }
}
