package dev.hvex.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hvex.CpuMode;
import dev.hvex.Register;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CaseReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheSamples() {
        List<ExitCase> kvm = Cases.resource("sample.jsonl");
        List<ExitCase> hw = Cases.resource("sample-hw.jsonl");
        assertEquals(398, kvm.size());
        assertEquals(303, hw.size());
        ExitCase first = kvm.get(0);
        assertEquals("s7/mov_r_m_8/long64/0001", first.id());
        assertEquals("mov", first.family());
        assertEquals(CpuMode.LONG64, first.mode());
        assertEquals("418a11", first.insn().hex());
        assertEquals(0x589c192e50962c93L, first.regs().get(Register.RAX).low());
        assertEquals(0xa09b, first.regs().get(Register.CS).attributes());
        assertEquals(0x1000, first.regs().get(Register.GDTR).low());
        assertEquals(0x3f, first.regs().get(Register.GDTR).high());
        assertEquals(3, first.pages().size());
        assertEquals(ExitCase.AccessType.READ, first.access().type());
        assertEquals(ExitCase.Status.OK, first.expect().status());
        assertEquals(List.of(new DeviceAccess(DeviceAccess.Space.MMIO, false, 0xd00893efL, 1, 0xe1)), first.expect().accesses());
        long withoutAccesses = hw.stream().filter(c -> c.expect().accesses() == null).count();
        assertEquals(23, withoutAccesses);
    }

    @Test
    void roundTripsEverySampleCase() throws IOException {
        for (String name : List.of("sample.jsonl", "sample-hw.jsonl")) {
            List<ExitCase> cases = Cases.resource(name);
            StringWriter sw = new StringWriter();
            try (CaseWriter w = new CaseWriter(sw)) {
                for (ExitCase c : cases) {
                    w.write(c);
                }
            }
            List<ExitCase> again = new ArrayList<>();
            try (CaseReader r = new CaseReader(new StringReader(sw.toString()), "written")) {
                r.forEach(again::add);
            }
            assertEquals(cases, again, name);
        }
    }

    @Test
    void gzipRoundTripAndDetection() throws IOException {
        List<ExitCase> cases = Cases.resource("sample.jsonl").subList(0, 20);
        Path gz = dir.resolve("cases.jsonl.gz");
        try (CaseWriter w = CaseWriter.create(gz)) {
            for (ExitCase c : cases) {
                w.write(c);
            }
        }
        byte[] head = Files.readAllBytes(gz);
        assertEquals(0x1f, head[0] & 0xff);
        List<ExitCase> again = new ArrayList<>();
        try (CaseReader r = CaseReader.open(gz)) {
            for (ExitCase c : r) {
                again.add(c);
            }
            assertTrue(r.bytesRead() > 0);
        }
        assertEquals(cases, again);
        // gzip is recognised by content, not by name
        Path renamed = dir.resolve("cases.jsonl");
        Files.copy(gz, renamed);
        try (CaseReader r = CaseReader.open(renamed)) {
            assertEquals(cases.get(0), r.next());
        }
    }

    @Test
    void streamsWithoutLoadingTheFile() throws IOException {
        // 200k cases generated on the fly: the reader holds one line at a time
        int n = 200_000;
        String line = Cases.PROT32 + "\n";
        Reader generator = new Reader() {
            int emitted;
            int pos;

            @Override
            public int read(char[] buf, int off, int len) {
                if (emitted == n) {
                    return -1;
                }
                int k = Math.min(len, line.length() - pos);
                line.getChars(pos, pos + k, buf, off);
                pos += k;
                if (pos == line.length()) {
                    pos = 0;
                    emitted++;
                }
                return k;
            }

            @Override
            public void close() {
            }
        };
        int count = 0;
        try (CaseReader r = new CaseReader(generator, "generated")) {
            for (ExitCase c : r) {
                count++;
            }
            assertEquals(n, r.line());
        }
        assertEquals(n, count);
    }

    @Test
    void skipsBlankLinesAndCountsThem() {
        String text = "\n" + Cases.PROT32 + "\n\n   \n" + Cases.IO + "\n";
        try (CaseReader r = new CaseReader(new StringReader(text), "f.jsonl")) {
            assertEquals("t/prot32/1", r.next().id());
            assertEquals(2, r.line());
            assertEquals("t/io/1", r.next().id());
            assertEquals(5, r.line());
            assertFalse(r.hasNext());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void optionalKeysAndDefaults() {
        ExitCase c = Cases.parse(Cases.PROT32);
        assertNull(c.cpl());
        assertNull(c.pages());
        assertNull(c.variant());
        assertTrue(c.ports().isEmpty());
        assertFalse(c.access().gvaValid(), "gvaValid defaults to whether gva is given");
        assertEquals(0x8d5L, c.expect().flagsMask());
        // integers are accepted where hex strings are usual, and unknown keys are ignored
        ExitCase d = Cases.parse(Cases.PROT32.replace("\"gpa\":\"0x1000\",\"type\"", "\"gpa\":4096,\"type\"")
                .replace("{\"id\"", "{\"comment\":{\"nested\":[1,2]},\"id\""));
        assertEquals(4096, d.access().gpa());
    }

    /** Malformed JSON: file, line and column of the problem. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":\"a\",                  | f.jsonl:3:11: case 'a': malformed JSON: Unexpected end-of-input",
        "{\"id\":\"a\" \"mode\":1}       | f.jsonl:3:11: case 'a': malformed JSON: Unexpected character ('\"'",
        "{\"id\":\"a\", \"mode\":prot32} | f.jsonl:3:25: case 'a': malformed JSON: Unrecognized token 'prot32'",
        "[1,2]                          | f.jsonl:3:1: a case must be a JSON object",
        "{\"id\":\"a\",\"id\":\"b\"}    | f.jsonl:3:15: case 'a': malformed JSON: Duplicate field 'id'",
    })
    void malformedJsonNamesFileLineAndColumn(String line, String message) {
        String text = Cases.PROT32 + "\n\n" + line.strip() + "\n";
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> readAll(text));
        assertTrue(e.getMessage().startsWith(message.strip()), e.getMessage());
        assertEquals(3, e.line());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void textAfterTheObject() {
        String text = Cases.PROT32 + " {}\n";
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> readAll(text));
        assertEquals("f.jsonl:1:" + (Cases.PROT32.length() + 2) + ": case 't/prot32/1': text after the case object (one case a line)",
                e.getMessage());
    }

    /** A missing required key: the case id and the key's path. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"mode\":\"prot32\",                          | | mode",
        "\"exit\":\"mmio\",                            | | exit",
        "\"insn\":\"a100100000\",                      | | insn",
        "\"access\":{\"gpa\":\"0x1000\",\"type\":\"read\"}, | | access",
        "\"gpa\":\"0x1000\",\"type\"                   | \"type\" | access.gpa",
        "\"sel\":\"0x8\",                              | | regs.cs.sel",
        "\"status\":\"ok\",                            | | expect.status",
        "\"dir\":\"r\",                                | | expect.accesses[0].dir",
    })
    void missingKeyNamesCaseAndKey(String remove, String replacement, String key) {
        String json = Cases.PROT32.replace(remove.strip(), replacement == null ? "" : replacement.strip());
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> Cases.parse(json));
        assertEquals("t/prot32/1", e.caseId());
        assertEquals(key.strip(), e.key());
        assertTrue(e.getMessage().startsWith("test.jsonl:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("case 't/prot32/1': missing required key '" + key.strip() + "'"), e.getMessage());
    }

    @Test
    void missingIdAndModeDependentKeys() {
        CaseFormatException e = assertThrows(CaseFormatException.class,
                () -> Cases.parse(Cases.PROT32.replace("\"id\":\"t/prot32/1\",", "")));
        assertEquals("test.jsonl:1:1: missing required key 'id'", e.getMessage());
        e = assertThrows(CaseFormatException.class, () -> Cases.parse(Cases.LONG64.replaceAll("\"pages\":\\[[^\\]]*\\],", "")));
        assertEquals("pages", e.key(), "pages are required when CR0.PG=1");
        e = assertThrows(CaseFormatException.class, () -> Cases.parse(Cases.IO.replaceAll("\"io\":\\{[^}]*\\},", "")));
        assertEquals("io", e.key());
        e = assertThrows(CaseFormatException.class,
                () -> Cases.parse(Cases.PROT32.replace("\"status\":\"ok\"", "\"status\":\"fault\"")));
        assertEquals("expect.fault", e.key());
    }

    /** Bad values: where and what. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"rax\":\"0x11\"              | \"rax\":\"0x1g\"                 | regs.rax: bad hex digit 'g' at position 4 of '0x1g'",
        "\"rax\":\"0x11\"              | \"rxa\":\"0x11\"                 | regs.rxa: unknown register 'rxa' (nearest: rax)",
        "\"rax\":\"0x11\"              | \"rax\":\"0x10000000000000000\"  | regs.rax: 0x10000000000000000 is out of range (more than 64 bits)",
        "\"rax\":\"0x11\"              | \"rax\":\"17\"                   | regs.rax: expected 0x and hex digits, got \"17\"",
        "\"rax\":\"0x11\"              | \"rax\":-1                       | regs.rax: -1 is out of range (64 bits)",
        "\"mode\":\"prot32\"           | \"mode\":\"prot64\"              | mode: unknown mode 'prot64' (modes: real16, vm86, prot16, prot32, compat16, compat32, long64)",
        "\"insn\":\"a100100000\"       | \"insn\":\"a10\"                 | insn: odd number of hex digits (3)",
        "\"insn\":\"a100100000\"       | \"insn\":\"0102030405060708090a0b0c0d0e0f1011\" | insn: 17 bytes, at most 16 allowed",
        "\"size\":4                    | \"size\":9                       | expect.accesses[0].size: 9 is out of range (1..8)",
        "\"data\":\"0x11223344\"       | \"data\":\"0x1122334455\"        | expect.accesses[0].data: 0x1122334455 does not fit 4 bytes",
        "\"kind\":\"ram\"              | \"kind\":\"rom\"                 | mem[0].kind: kind must be \"ram\" or \"mmio\", not \"rom\"",
        "\"attr\":\"0xc09b\"           | \"attr\":\"0x1c09b\"             | regs.cs.attr: 0x1c09b is out of range (more than 16 bits)",
        "\"type\":\"read\"             | \"type\":true                    | access.type: expected a string, got true",
    })
    void badValuesNameTheKeyAndProblem(String from, String to, String problem) {
        String json = Cases.PROT32.replace(from.strip(), to.strip());
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> Cases.parse(json));
        assertTrue(e.getMessage().matches("test\\.jsonl:1:\\d+: case 't/prot32/1': .*"), e.getMessage());
        assertEquals(problem.strip(), e.problem());
        int column = e.column();
        assertTrue(column > 1 && column <= json.length(), "column " + column);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sample.jsonl", "sample-hw.jsonl"})
    void everySampleCaseParsesWithItsIdUnique(String name) {
        List<ExitCase> cases = Cases.resource(name);
        assertEquals(cases.size(), cases.stream().map(ExitCase::id).distinct().count());
    }

    private static void readAll(String text) throws IOException {
        try (CaseReader r = new CaseReader(new StringReader(text), "f.jsonl")) {
            while (r.hasNext()) {
                r.next();
            }
        }
    }
}
