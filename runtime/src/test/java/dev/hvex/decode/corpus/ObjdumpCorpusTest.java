package dev.hvex.decode.corpus;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hvex.CpuMode;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Decodes real code linearly and checks every instruction's length against GNU objdump's disassembly:
 * the 64-bit {@code .text} of the machine's libc and libjvm (objdump run at test time), and committed
 * extracts of 32-bit (Debian libc6:i386) and 16-bit (SeaBIOS) code with objdump's boundaries (made by
 * {@code src/test/resources/corpus/make-corpus.sh}).
 *
 * <p>Where objdump prints {@code (bad)}, or the decoder reports the encoding invalid in the mode, the
 * check resynchronises at objdump's next boundary and counts the case apart. A length disagreement,
 * or an encoding objdump decodes but the decoder calls undefined, fails the test unless the bytes
 * match a line of {@code corpus/allowlist.txt} (objdump errors, each with its SDM reference); an
 * allowlisted length disagreement must still tile objdump's instruction exactly with ours.
 */
class ObjdumpCorpusTest {
    private static final String LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
    private static final String JVM17 = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so";
    private static final String JVM25 = "/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so";
    private static final int MAX_REPORTED = 20;

    @Test
    void libc64() throws Exception {
        live("libc.so.6 (64-bit)", LIBC);
    }

    @Test
    void libjvm17() throws Exception {
        live("libjvm.so JDK 17 (64-bit)", JVM17);
    }

    @Test
    void libjvm25() throws Exception {
        live("libjvm.so JDK 25 (64-bit)", JVM25);
    }

    @Test
    void libc32() throws Exception {
        committed("libc6:i386 extract (32-bit)", "/corpus/i386-libc.txt.gz", CpuMode.PROT32);
    }

    @Test
    void seabios16() throws Exception {
        committed("SeaBIOS extract (16-bit)", "/corpus/i8086-seabios.txt.gz", CpuMode.REAL16);
    }

    // ---------------------------------------------------------------------------------------------

    private static void live(String name, String file) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(file)), () -> "skipped " + name + ": " + file + " is not on this machine");
        assumeTrue(objdumpAvailable(), () -> "skipped " + name + ": no objdump on the PATH (install binutils)");
        Checker c = new Checker(name, CpuMode.LONG64, Allowlist.load());
        Process p = new ProcessBuilder("objdump", "-d", "--insn-width=16", "-j", ".text", file)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII),
            1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                c.objdumpLine(line);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("objdump did not finish on " + file);
        }
        c.finish();
        c.verdict();
    }

    private static void committed(String name, String resource, CpuMode mode) throws IOException {
        Checker c = new Checker(name, mode, Allowlist.load());
        InputStream in = ObjdumpCorpusTest.class.getResourceAsStream(resource);
        if (in == null) {
            fail("missing test resource " + resource + " (regenerate with src/test/resources/corpus/make-corpus.sh)");
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                c.corpusLine(line);
            }
        }
        c.finish();
        c.verdict();
    }

    private static boolean objdumpAvailable() {
        try {
            Process p = new ProcessBuilder("objdump", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Prefix names objdump prints on a line of their own; such a line belongs to the next instruction. */
    private static final Set<String> PREFIX_WORDS = Set.of("data16", "data32", "addr16", "addr32", "lock", "rep",
        "repz", "repnz", "repe", "repne", "cs", "ds", "es", "ss", "fs", "gs", "bnd", "notrack", "xacquire",
        "xrelease");

    static boolean prefixOnly(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (String w : text.split(" ")) {
            if (!PREFIX_WORDS.contains(w) && !w.equals("rex") && !w.startsWith("rex.")) {
                return false;
            }
        }
        return true;
    }

    /** One instruction as objdump printed it. */
    private record Insn(long addr, int start, int length, String text) {
        boolean bad() {
            return text.contains("(bad)");
        }
    }

    /**
     * Receives objdump's instructions in address order, accumulates the code bytes of the current
     * contiguous run, and checks each instruction once 15 bytes past its start are known (or the run ends).
     */
    static final class Checker {
        final String name;
        final CpuMode mode;
        final Allowlist allow;
        final DecodedInstruction out = new DecodedInstruction();

        byte[] code = new byte[1 << 16];
        int size;
        long runBase = -1;
        final ArrayDeque<Insn> pending = new ArrayDeque<>();
        Insn heldPrefix;

        long compared;
        long mismatches;
        long objdumpBad;
        long invalidInMode;
        long undefined;
        long allowlisted;
        final List<String> failures = new ArrayList<>();
        final List<String> invalidExamples = new ArrayList<>();

        Checker(String name, CpuMode mode, Allowlist allow) {
            this.name = name;
            this.mode = mode;
            this.allow = allow;
        }

        /** A line of objdump -d output: {@code "  addr:\tbytes\ttext"}, or a continuation, or anything else. */
        void objdumpLine(String line) {
            int colon = line.indexOf(':');
            if (colon <= 0 || colon + 1 >= line.length() || line.charAt(colon + 1) != '\t') {
                return;
            }
            long addr;
            try {
                addr = Long.parseLong(line.substring(0, colon).trim(), 16);
            } catch (NumberFormatException e) {
                return;
            }
            int tab = line.indexOf('\t', colon + 2);
            String hex = tab < 0 ? line.substring(colon + 2) : line.substring(colon + 2, tab);
            String text = tab < 0 ? null : normalize(line.substring(tab + 1));
            add(addr, hex, text);
        }

        /** A line of a committed extract: {@code "@ addr"} or {@code "bytes\ttext"}. */
        long nextAddr;

        void corpusLine(String line) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                return;
            }
            if (line.charAt(0) == '@') {
                nextAddr = Long.parseLong(line.substring(1).trim(), 16);
                return;
            }
            int tab = line.indexOf('\t');
            String hex = tab < 0 ? line : line.substring(0, tab);
            String text = tab < 0 ? "" : line.substring(tab + 1);
            int n = add(nextAddr, hex, text);
            nextAddr += n;
        }

        static String normalize(String text) {
            int hash = text.indexOf('#');
            if (hash >= 0) {
                text = text.substring(0, hash);
            }
            return text.trim().replaceAll("\\s+", " ");
        }

        /** Adds one listing line; text null = continuation of the previous instruction's bytes. Returns the byte count. */
        int add(long addr, String hex, String text) {
            byte[] bytes = parseHex(hex);
            if (bytes.length == 0) {
                return 0;
            }
            if (runBase < 0 || addr != runBase + size) {
                if (text == null) {
                    return bytes.length; // a continuation without its start: ignore
                }
                endRun();
                runBase = addr;
            }
            int start = size;
            append(bytes);
            if (text == null) {
                if (heldPrefix != null && heldPrefix.start + heldPrefix.length == start) {
                    heldPrefix = new Insn(heldPrefix.addr, heldPrefix.start, heldPrefix.length + bytes.length, heldPrefix.text);
                } else if (!pending.isEmpty() && pending.peekLast().start + pending.peekLast().length == start) {
                    Insn last = pending.pollLast();
                    pending.addLast(new Insn(last.addr, last.start, last.length + bytes.length, last.text));
                }
                return bytes.length;
            }
            Insn insn = new Insn(addr, start, bytes.length, text);
            if (heldPrefix != null) {
                insn = new Insn(heldPrefix.addr, heldPrefix.start, heldPrefix.length + insn.length,
                    heldPrefix.text + " " + insn.text);
                heldPrefix = null;
            }
            if (prefixOnly(text)) {
                heldPrefix = insn;
            } else {
                pending.addLast(insn);
            }
            drain(false);
            return bytes.length;
        }

        void append(byte[] b) {
            if (size + b.length > code.length) {
                code = Arrays.copyOf(code, Math.max(code.length * 2, size + b.length));
            }
            System.arraycopy(b, 0, code, size, b.length);
            size += b.length;
        }

        void endRun() {
            if (heldPrefix != null) {
                pending.addLast(heldPrefix);
                heldPrefix = null;
            }
            drain(true);
            size = 0;
            runBase = -1;
        }

        void finish() {
            endRun();
        }

        void drain(boolean all) {
            while (!pending.isEmpty()) {
                Insn i = pending.peekFirst();
                if (!all && i.start + 16 > size) {
                    return;
                }
                pending.pollFirst();
                check(i);
            }
        }

        void check(Insn i) {
            if (i.bad()) {
                objdumpBad++;
                return;
            }
            int status = Decoder.decode(code, i.start, size - i.start, mode, out);
            if (status != DecodeStatus.OK) {
                if (status == DecodeStatus.INVALID_IN_MODE || status == DecodeStatus.LOCK_NOT_ALLOWED) {
                    invalidInMode++;
                    if (invalidExamples.size() < 5) {
                        invalidExamples.add(describe(i, DecodeStatus.name(status)));
                    }
                    return;
                }
                if (allow.matches(code, i.start, i.length)) {
                    allowlisted++;
                    return;
                }
                undefined++;
                report(i, DecodeStatus.name(status));
                return;
            }
            compared++;
            int len = out.length;
            if (len == i.length) {
                return;
            }
            String ours = "length " + len + " (" + out.formName() + ")";
            if (allow.matches(code, i.start, i.length) && tiles(i, len)) {
                allowlisted++;
                return;
            }
            mismatches++;
            report(i, ours);
        }

        /** Whether our instructions, from the one of length {@code first}, end exactly where objdump's does. */
        boolean tiles(Insn i, int first) {
            int p = i.start + first;
            int end = i.start + i.length;
            while (p < end) {
                if (Decoder.decode(code, p, size - p, mode, out) != DecodeStatus.OK) {
                    return false;
                }
                p += out.length;
            }
            return p == end;
        }

        void report(Insn i, String ours) {
            if (failures.size() < MAX_REPORTED) {
                failures.add(describe(i, ours));
            }
        }

        String describe(Insn i, String ours) {
            StringBuilder hex = new StringBuilder();
            int shown = Math.min(size - i.start, Math.max(i.length, 15));
            for (int k = 0; k < shown; k++) {
                if (k == i.length) {
                    hex.append(" |");
                }
                hex.append(k == 0 ? "" : " ").append(String.format("%02x", code[i.start + k] & 0xff));
            }
            return String.format(Locale.ROOT, "  %x: %s%n      objdump: %d bytes '%s'; hvex: %s", i.addr, hex,
                i.length, i.text, ours);
        }

        void verdict() {
            String summary = String.format(Locale.ROOT,
                "%s [%s]: %d instructions compared, %d length mismatches, %d undefined by hvex, %d allowlisted, "
                    + "%d (bad) in objdump, %d invalid in this mode for hvex",
                name, mode, compared, mismatches, undefined, allowlisted, objdumpBad, invalidInMode);
            System.out.println(summary);
            for (String e : invalidExamples) {
                System.out.println("  invalid in mode, e.g.:" + System.lineSeparator() + e);
            }
            if (compared == 0) {
                fail(summary + System.lineSeparator() + "no instruction was compared: is the objdump listing empty?");
            }
            if (!failures.isEmpty()) {
                fail(summary + System.lineSeparator() + "first " + failures.size() + " (bytes after '|' follow "
                    + "objdump's instruction):" + System.lineSeparator() + String.join(System.lineSeparator(), failures));
            }
        }
    }

    static byte[] parseHex(String hex) {
        String[] parts = hex.trim().split(" ");
        byte[] b = new byte[parts.length];
        int n = 0;
        for (String s : parts) {
            if (s.length() == 2) {
                b[n++] = (byte) Integer.parseInt(s, 16);
            }
        }
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    /**
     * {@code corpus/allowlist.txt}: lines {@code <hex pattern> | <reason>}; the pattern is matched against
     * the start of objdump's instruction, {@code ??} matching any byte.
     */
    static final class Allowlist {
        final List<int[]> patterns;

        private Allowlist(List<int[]> patterns) {
            this.patterns = patterns;
        }

        static Allowlist load() {
            List<int[]> list = new ArrayList<>();
            InputStream in = ObjdumpCorpusTest.class.getResourceAsStream("/corpus/allowlist.txt");
            if (in == null) {
                return new Allowlist(list);
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    line = line.strip();
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    int bar = line.indexOf('|');
                    if (bar < 0 || line.substring(bar + 1).isBlank()) {
                        throw new IllegalStateException("allowlist line without '| reason': " + line);
                    }
                    String[] toks = line.substring(0, bar).trim().split("\\s+");
                    int[] p = new int[toks.length];
                    for (int k = 0; k < toks.length; k++) {
                        p[k] = toks[k].equals("??") ? -1 : Integer.parseInt(toks[k], 16);
                    }
                    list.add(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Allowlist(list);
        }

        boolean matches(byte[] code, int start, int length) {
            outer:
            for (int[] p : patterns) {
                if (p.length > length) {
                    continue;
                }
                for (int k = 0; k < p.length; k++) {
                    if (p[k] >= 0 && (code[start + k] & 0xff) != p[k]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
