package dev.hvex.bench;

import dev.hvex.CpuMode;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoder throughput: one op decodes the whole {@code .text} of libc linearly in 64-bit mode (after an
 * undecodable byte, the next byte is tried). MB/s = text bytes / (ns/op) * 1000; the size and the
 * instruction count are printed at setup. {@link #decodeNext} decodes one instruction per op.
 * {@link #scanText} is the baseline: one pass summing the same bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class DecodeBench {
    @Param("/lib/x86_64-linux-gnu/libc.so.6")
    public String elf;

    byte[] text;
    final DecodedInstruction decoded = new DecodedInstruction();
    /** Where {@link #decodeNext} is in the text. */
    int position;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        text = textSection(Path.of(elf));
        int[] counts = new int[2];
        decodeAll(counts);
        System.out.printf("%n[DecodeBench] %s .text: %d bytes, %d instructions, %d undecodable bytes skipped%n",
            elf, text.length, counts[0], counts[1]);
    }

    /** The bytes of the {@code .text} section of a 64-bit little-endian ELF file, from its section headers. */
    static byte[] textSection(Path file) throws IOException {
        byte[] image = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x464c457f || image[4] != 2 || image[5] != 1) {
            throw new IOException(file + " is not a 64-bit little-endian ELF file");
        }
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        long strtab = b.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            int nameAt = (int) (strtab + (b.getInt(h) & 0xffffffffL));
            int end = nameAt;
            while (image[end] != 0) {
                end++;
            }
            String name = new String(image, nameAt, end - nameAt, StandardCharsets.US_ASCII);
            if (name.equals(".text")) {
                long offset = b.getLong(h + 0x18);
                long size = b.getLong(h + 0x20);
                return Arrays.copyOfRange(image, (int) offset, (int) (offset + size));
            }
        }
        throw new IOException(file + " has no .text section");
    }

    /** Decodes the whole text; returns the instruction count (counts[0]) and skipped bytes (counts[1]). */
    private int decodeAll(int[] counts) {
        byte[] t = text;
        DecodedInstruction d = decoded;
        int n = t.length;
        int p = 0;
        int instructions = 0;
        int skipped = 0;
        while (p < n) {
            if (Decoder.decode(t, p, n - p, CpuMode.LONG64, d) == DecodeStatus.OK) {
                p += d.length;
                instructions++;
            } else {
                p++;
                skipped++;
            }
        }
        if (counts != null) {
            counts[0] = instructions;
            counts[1] = skipped;
        }
        return instructions;
    }

    @Benchmark
    public int decodeText() {
        return decodeAll(null);
    }

    /**
     * One instruction per op, walking the same text linearly and wrapping at its end: ns/op is the time
     * per instruction, and ops short enough for -prof gc to show the decoder's own allocation (none)
     * rather than the harness's background allocation spread over a long op.
     */
    @Benchmark
    public int decodeNext() {
        byte[] t = text;
        int p = position;
        int n = t.length;
        int advance = Decoder.decode(t, p, n - p, CpuMode.LONG64, decoded) == DecodeStatus.OK ? decoded.length : 1;
        p += advance;
        position = p < n ? p : 0;
        return advance;
    }

    /** Reading every byte once: the memory-traffic floor under {@link #decodeText}. */
    @Benchmark
    public int scanText() {
        byte[] t = text;
        int sum = 0;
        for (int i = 0; i < t.length; i++) {
            sum += t[i];
        }
        return sum;
    }
}
