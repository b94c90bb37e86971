package dev.hvex.conformance;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads exit cases one line at a time from a {@code .jsonl} or gzip-compressed {@code .jsonl.gz} file
 * (recognised by its magic bytes), so that a file of any size is replayed in constant memory.
 * Blank lines are skipped.
 *
 * <pre>{@code
 * try (CaseReader r = CaseReader.open(path)) {
 *     for (ExitCase c : r) { ... }
 * }
 * }</pre>
 *
 * <p>Iteration throws {@link CaseFormatException} for malformed input and {@link UncheckedIOException}
 * when the file cannot be read.
 */
public final class CaseReader implements Iterable<ExitCase>, Iterator<ExitCase>, Closeable {
    private final BufferedReader in;
    private final String source;
    private final CaseParser parser;
    private final CountingInputStream counter;
    private int lineNumber;
    private int caseLine;
    private ExitCase next;
    private boolean done;

    /** Reads cases from {@code in}; {@code source} names it in error messages. */
    public CaseReader(Reader in, String source) {
        this(in, source, null);
    }

    private CaseReader(Reader in, String source, CountingInputStream counter) {
        this.in = in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in, 1 << 16);
        this.source = source;
        this.parser = new CaseParser(source);
        this.counter = counter;
    }

    /** Opens a case file; gzip is detected from the content. */
    public static CaseReader open(Path file) throws IOException {
        return open(Files.newInputStream(file), file.toString());
    }

    /** Reads cases from a stream of (optionally gzip-compressed) JSON Lines. */
    public static CaseReader open(InputStream raw, String source) throws IOException {
        CountingInputStream counting = new CountingInputStream(raw);
        BufferedInputStream buffered = new BufferedInputStream(counting, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        InputStream data = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new CaseReader(new InputStreamReader(data, utf8), source, counting);
    }

    @Override
    public Iterator<ExitCase> iterator() {
        return this;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            advance();
        }
        return next != null;
    }

    @Override
    public ExitCase next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ExitCase c = next;
        next = null;
        return c;
    }

    private void advance() {
        String line;
        try {
            do {
                line = in.readLine();
                if (line == null) {
                    done = true;
                    return;
                }
                lineNumber++;
            } while (line.isBlank());
        } catch (IOException e) {
            throw new UncheckedIOException(source + ":" + (lineNumber + 1) + ": cannot read: " + e.getMessage(), e);
        }
        caseLine = lineNumber;
        next = parser.parse(line, lineNumber);
    }

    /** The line of the case {@link #next()} returned last (1-based). */
    public int line() {
        return caseLine;
    }

    public String source() {
        return source;
    }

    /** Bytes read from the underlying file so far (compressed bytes for gzip), for progress reports. */
    public long bytesRead() {
        return counter == null ? 0 : counter.count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
