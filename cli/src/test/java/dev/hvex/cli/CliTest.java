package dev.hvex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command in-process: exit codes, output shape, and one line for each kind of bad input. */
class CliTest {
    @TempDir
    Path dir;

    private Path sample;
    private Path sampleHw;

    record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().collect(Collectors.toList());
        }

        List<String> errLines() {
            return err.lines().collect(Collectors.toList());
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Bad input: exit 2 and exactly one line on stderr, naming the problem. */
    static void assertBadInput(Run r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line: " + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @BeforeEach
    void copySamples() throws IOException {
        sample = copy("sample.jsonl");
        sampleHw = copy("sample-hw.jsonl");
    }

    /** The committed samples live in the conformance module's test data (Maven runs tests in the module directory). */
    private Path copy(String name) throws IOException {
        Path p = dir.resolve(name);
        Path committed = Path.of(System.getProperty("basedir", "."), "..", "conformance", "src", "test", "resources", "conformance", name);
        if (Files.exists(committed)) {
            Files.copy(committed, p);
        } else {
            try (InputStream in = CliTest.class.getResourceAsStream("/conformance/" + name)) {
                if (in == null) {
                    throw new IOException("test data " + committed + " not found");
                }
                Files.copy(in, p);
            }
        }
        return p;
    }

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, List.of(lines), StandardCharsets.UTF_8);
        return p;
    }

    private String firstLineOf(Path p) throws IOException {
        try (var lines = Files.lines(p)) {
            return lines.findFirst().orElseThrow();
        }
    }

    // ---- help -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"decode", "emulate", "conform", "replay"})
    void everyCommandHasHelpWithAnExample(String command) {
        Run r = run(command, "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: hvex " + command), r.out());
        assertTrue(r.out().contains("hvex " + command + " "), "an example: " + r.out());
        assertTrue(r.out().matches("(?s).*Examples?:.*"), r.out());
    }

    @Test
    void noSubcommandIsBadInput() {
        assertBadInput(run(), "a subcommand is needed");
        assertBadInput(run("frobnicate"), "frobnicate");
        assertEquals(0, run("--help").code());
    }

    // ---- decode -----------------------------------------------------------------------------------------

    @Test
    void decodePrintsOffsetLengthBytesText() {
        Run r = run("decode", "--mode", "long64", "--hex", "48 8b 03 0f 0b");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).matches("0000\\s+3\\s+488b03\\s+mov .*"), lines.get(0));
        assertTrue(lines.get(1).matches("0003\\s+2\\s+0f0b\\s+ud2"), lines.get(1));
    }

    @Test
    void decodeMarksUndefinedBytesAndGoesOn() {
        Run r = run("decode", "--mode", "long64", "--hex", "06 90", "--format", "lengths");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("0000 1", "0001 1"), r.outLines());
        Run text = run("decode", "--mode", "prot32", "--hex", "0f0b 0f04 90");
        assertTrue(text.outLines().get(1).matches("0002\\s+1\\s+0f\\s+\\(bad\\)"), text.out());
        assertTrue(text.outLines().get(2).startsWith("0003  2  0490"), text.out());
        assertTrue(run("decode", "--mode", "long64", "--hex", "06").out().contains("(bad: invalid-in-mode)"));
    }

    @Test
    void decodeAFileFromAnOffsetForACount() throws IOException {
        Path bin = dir.resolve("code.bin");
        Files.write(bin, new byte[] {(byte) 0xcc, (byte) 0x90, (byte) 0x89, (byte) 0xd8, (byte) 0x90, (byte) 0x90});
        Run r = run("decode", "--mode", "prot32", "--file", bin.toString(), "--offset", "1", "--count", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.outLines().size(), r.out());
        assertTrue(r.outLines().get(0).startsWith("0001  1"), r.out());
        assertTrue(r.outLines().get(1).startsWith("0002  2  89d8"), r.out());
        Run lengths = run("decode", "--mode", "prot32", "--file", bin.toString(), "--offset", "0x2", "--format", "lengths");
        assertEquals(List.of("0002 2", "0004 1", "0005 1"), lengths.outLines());
    }

    @Test
    void decodeBadInput() {
        assertBadInput(run("decode", "--mode", "long64", "--hex", "48 8g 03"), "--hex", "bad hex digit 'g' at position 5");
        assertBadInput(run("decode", "--mode", "long64", "--hex", "488"), "odd number of hex digits");
        assertBadInput(run("decode", "--mode", "long65", "--hex", "90"), "unknown mode 'long65'", "real16", "long64");
        assertBadInput(run("decode", "--mode", "long64", "--file", dir.resolve("missing.bin").toString()), "missing.bin", "no such file");
        assertBadInput(run("decode", "--mode", "long64", "--hex", "90", "--offset", "2"), "--offset", "out of range");
        assertBadInput(run("decode", "--mode", "long64", "--hex", "90", "--format", "xml"), "unknown format 'xml'");
        assertBadInput(run("decode", "--mode", "long64"), "--hex", "--file");
        assertBadInput(run("decode", "--hex", "90"), "--mode");
    }

    // ---- emulate ----------------------------------------------------------------------------------------

    @Test
    void emulateAnMmioLoad() {
        Run r = run("emulate", "--mode", "long64", "--hex", "8b03", "--reg", "rbx=0xd0000000", "--mmio", "0xd0000000=78563412");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals("mmio r 0xd0000000 4 0x12345678", lines.get(0));
        assertTrue(lines.contains("rax: 0x0 -> 0x12345678"), r.out());
        assertTrue(lines.contains("rip: 0x0 -> 0x2"), r.out());
        assertTrue(lines.get(lines.size() - 1).startsWith("status: success"), r.out());
    }

    @Test
    void emulateAPortReadAsJson() {
        Run r = run("emulate", "--mode", "real16", "--hex", "ec", "--reg", "rdx=0x3f8", "--port", "0x3f8=0x41,0x42", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.outLines().size());
        assertTrue(r.out().startsWith("{\"id\":\"command-line\",\"outcome\":\"ok\""), r.out());
        assertTrue(r.out().contains("\"accesses\":[{\"space\":\"io\",\"dir\":\"r\",\"addr\":\"0x3f8\",\"size\":1,\"data\":\"0x41\"}]"), r.out());
        assertTrue(r.out().contains("{\"name\":\"rax\",\"old\":\"0x0\",\"new\":\"0x41\"}"), r.out());
        assertTrue(r.out().contains("\"exception\":null"), r.out());
    }

    @Test
    void emulateShowsTheExceptionToInject() {
        // a write to a read-only page with CR0.WP: #PF with error code P|W
        Run r = run("emulate", "--mode", "prot32", "--hex", "8903", "--reg", "cr0=0x80010011", "--reg", "rbx=0x7000",
                "--page", "0x0=0x0:x", "--page", "0x7000=0x5000:", "--mem", "0x0=8903", "--mmio", "0x5000:16", "--access", "write");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inject: #PF error 0x3 cr2 0x7000"), r.out());
        assertFalse(r.out().contains("mmio w"), r.out());
    }

    @Test
    void emulateACaseFromAFile() throws IOException {
        String id = "s7/mov_r_m_8/long64/0001";
        Run r = run("emulate", "--case", sample.toString(), "--id", id);
        assertTrue(r.code() == 0 || r.code() == 1, r.err());
        assertTrue(r.out().contains("mmio r 0xd00893ef 1 0xe1"), r.out());
        assertTrue(r.out().contains("expect: pass") || r.out().contains("differs: "), r.out());
        // an expectation that cannot hold: exit 1 and the difference
        Path wrong = write("wrong.jsonl", firstLineOf(sample).replace("\"rip\":\"0xffffb62458fab800\"", "\"rip\":\"0x1\""));
        Run w = run("emulate", "--case", wrong.toString(), "--id", id);
        assertEquals(1, w.code(), w.out() + w.err());
        assertTrue(w.out().contains("differs: rip: expected 0x1, got "), w.out());
        Run json = run("emulate", "--case", wrong.toString(), "--id", id, "--json");
        assertEquals(1, json.code());
        assertTrue(json.out().contains("\"passed\":false"), json.out());
        assertBadInput(run("emulate", "--case", sample.toString(), "--id", "no/such/case"), "no case with id 'no/such/case'");
        assertBadInput(run("emulate", "--case", sample.toString()), "--case needs --id");
        assertBadInput(run("emulate", "--case", sample.toString(), "--id", id, "--hex", "90"), "--case takes the whole exit");
    }

    @Test
    void emulateBadInput() {
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b0x", "--mmio", "0x1000:4"), "--hex", "bad hex digit 'x' at position 4");
        assertBadInput(run("emulate", "--mode", "prot", "--hex", "8b03"), "unknown mode 'prot'", "prot16, prot32");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--reg", "rxb=1", "--mmio", "0x1000:4"),
                "unknown register 'rxb' (nearest: rbx)");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--reg", "rax=0x10000000000000000", "--mmio", "0x1000:4"),
                "--reg rax", "out of range");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--cpl", "4", "--mmio", "0x1000:4"), "--cpl", "out of range (0..3)");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "ec", "--port", "0x10000=1"), "--port", "out of range");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03"), "not IN, OUT, INS or OUTS", "--mmio");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--mmio", "0x1000"), "expected GPA:SIZE or GPA=HEX");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--reg", "cs=0x8:0:0xffff:0x9b", "--mmio", "0x1000:4"),
                "mode prot32 disagrees", "select prot16");
        assertBadInput(run("emulate", "--mode", "prot32", "--hex", "8b03", "--mmio", "0x1000:4", "--access", "modify"), "unknown type 'modify'");
        assertBadInput(run("emulate", "--hex", "8b03"), "give --mode and --hex");
    }

    @Test
    void debugPrintsTheStackTrace() {
        Run r = run("emulate", "--mode", "prot32", "--hex", "8b0x", "--debug");
        assertEquals(2, r.code());
        assertTrue(r.errLines().size() > 1 && r.err().contains("\tat "), r.err());
    }

    // ---- conform ----------------------------------------------------------------------------------------

    @Test
    void conformTheSamples() {
        Run r = run("conform", sample.toString(), sampleHw.toString());
        assertTrue(r.code() == 0 || r.code() == 1, r.err());
        List<String> lines = r.outLines();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.matches("\\d+ passed, \\d+ failed"), last);
        int passed = Integer.parseInt(last.split(" ")[0]);
        int failed = Integer.parseInt(last.split(" ")[2]);
        assertEquals(701, passed + failed);
        assertEquals(failed > 0 ? 1 : 0, r.code());
        assertEquals(failed, lines.stream().filter(l -> l.startsWith("FAIL ")).count());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("passed/failed") && l.contains("real16") && l.contains("long64")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("mov_moffs\\s.*")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("all\\s+\\d+/\\d+.*")), r.out());
    }

    @Test
    void conformReportsAFailingCaseAndExitsOne() throws IOException {
        String line = firstLineOf(sample).replace("\"rip\":\"0xffffb62458fab800\"", "\"rip\":\"0x1\"");
        Path f = write("wrong.jsonl", line);
        Run r = run("conform", f.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("FAIL s7/mov_r_m_8/long64/0001 (" + f + ":1)"), r.out());
        assertTrue(r.out().contains("    rip: expected 0x1, got "), r.out());
        assertTrue(r.out().endsWith("0 passed, 1 failed\n") || r.out().endsWith("0 passed, 1 failed" + System.lineSeparator()), r.out());
    }

    @Test
    void conformSkipsCasesWithoutExpectations() throws IOException {
        String line = firstLineOf(sample).replaceAll(",\"expect\":\\{.*\\}\\]\\}", "");
        assertFalse(line.contains("expect"), line);
        Path f = write("recorded.jsonl", line, line.replace("s7/mov_r_m_8/long64/0001", "other"));
        Run r = run("conform", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("0 passed, 0 failed, 2 skipped", r.outLines().get(r.outLines().size() - 1));
    }

    @Test
    void conformBadInput() throws IOException {
        Path broken = write("broken.jsonl", firstLineOf(sample), "", "{\"id\":\"x\" \"mode\":1}");
        assertBadInput(run("conform", broken.toString()), broken + ":3:11: case 'x': malformed JSON");
        Path missingKey = write("missing.jsonl", firstLineOf(sample).replace("\"insn\":\"418a11\",", ""));
        assertBadInput(run("conform", missingKey.toString()), missingKey + ":1:1: case 's7/mov_r_m_8/long64/0001': missing required key 'insn'");
        Path inconsistent = write("inconsistent.jsonl", firstLineOf(sample).replace("\"mode\":\"long64\"", "\"mode\":\"compat32\""));
        assertBadInput(run("conform", inconsistent.toString()), inconsistent + ":1: case 's7/mov_r_m_8/long64/0001': mode compat32 disagrees");
        assertBadInput(run("conform", dir.resolve("nope.jsonl").toString()), "nope.jsonl", "no such file");
        assertBadInput(run("conform"), "FILE");
    }

    @Test
    void conformReadsGzip() throws IOException {
        Path gz = dir.resolve("skip.jsonl.gz");
        String line = firstLineOf(sample).replaceAll(",\"expect\":\\{.*\\}\\]\\}", "");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Run r = run("conform", gz.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 skipped"), r.out());
    }

    // ---- replay -----------------------------------------------------------------------------------------

    @Test
    void replayCountsAndTimesExits() {
        Run r = run("replay", sample.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "no progress bar without a terminal");
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).startsWith("family"), r.out());
        assertTrue(lines.get(0).endsWith("exits  interpreted ns  specialized ns"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("string\\s.*\\s29\\s+\\d+\\s+\\d+")), r.out());
        assertTrue(lines.get(lines.size() - 1).matches(
            "398 exits; mean per exit: \\d+ ns interpreted, \\d+ ns specialized .*"), r.out());
        Run repeated = run("replay", "--repeat", "3", sample.toString());
        assertTrue(repeated.out().contains("1194 exits"), repeated.out());
    }

    @Test
    void replayBadInput() throws IOException {
        assertBadInput(run("replay", dir.resolve("nope.jsonl").toString()), "no such file");
        Path broken = write("broken.jsonl", "{\"id\":");
        assertBadInput(run("replay", broken.toString()), broken + ":1:7: malformed JSON");
        assertBadInput(run("replay", "--repeat", "0", sample.toString()), "--repeat", "out of range");
    }

    @ParameterizedTest
    @CsvSource({"decode,--mode", "emulate,--bogus", "conform,--bogus", "replay,--bogus"})
    void unknownOptionsAreOneLine(String command, String option) {
        Run r = run(command, option);
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("hvex " + command + ": "), r.err());
    }

    // ---- spec and bench ------------------------------------------------------------------------------------

    @Test
    void specPrintsTheCoverageTable() {
        Run r = run("spec");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals("family             real16  prot16  prot32  compat16  compat32  long64  forms", lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("mov\\s+10\\s+10\\s+10\\s+10\\s+10\\s+10\\s+10")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("(recognised only)")), r.out());
        assertTrue(lines.get(lines.size() - 1).matches("\\d+ forms: \\d+ executed in 22 families, \\d+ recognised only.*"),
            r.out());
    }

    @Test
    void benchPrintsNanosecondsPerExitForBothTiers() {
        Run r = run("bench", "--millis", "10");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals("exit                       interpreted ns  specialized ns", lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("mov \\[rdi\\+8\\], eax \\(store\\)\\s+\\d+\\s+\\d+")), r.out());
        assertTrue(lines.stream().noneMatch(l -> l.contains("failed")), r.out());
    }

    @Test
    void benchRejectsAnOutOfRangeTime() {
        Run r = run("bench", "--millis", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--millis"), r.err());
    }
}
