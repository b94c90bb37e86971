package dev.hvex.conformance.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hvex.CpuMode;
import dev.hvex.conformance.CaseMachine;
import dev.hvex.conformance.CaseParser;
import dev.hvex.conformance.CaseWriter;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.generate.FormGenerator.Generated;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Forms;
import dev.hvex.spec.Entry;
import dev.hvex.spec.Spec;
import dev.hvex.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator without the oracle: its encodings, guests and determinism. */
class FormGeneratorTest {
    private static Spec spec;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of("../opcode-spec/spec");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("opcode-spec/spec");
        }
        spec = SpecLoader.load(dir);
    }

    /** The emulator's decoder (built from the same spec) reads every generated instruction as the entry's form. */
    @Test
    void everyEncodingDecodesAsItsForm() {
        CaseGenerator gen = new CaseGenerator(spec, 7, 6);
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (CpuMode mode : CaseGenerator.HW_MODES) {
            for (Generated g : gen.generate(mode)) {
                n++;
                byte[] bytes = g.meta().bytes().toArray();
                DecodedInstruction d = new DecodedInstruction();
                int status = Decoder.decode(bytes, 0, bytes.length, mode, d);
                boolean lockUd = "UD".equals(g.meta().expectedFault());
                if (lockUd && status == DecodeStatus.LOCK_NOT_ALLOWED) {
                    continue;
                }
                if (status != DecodeStatus.OK) {
                    problems.add(g.meta().id() + " " + g.meta().bytes() + ": status " + status);
                } else if (d.length != bytes.length || !Forms.name(d.form).equals(g.meta().form())) {
                    problems.add(g.meta().id() + " " + g.meta().bytes() + ": decoded " + Forms.name(d.form) + " length "
                            + d.length + ", generated length " + bytes.length);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + n + " encodings disagree with the decoder:\n" + String.join("\n", problems.subList(0,
                    Math.min(40, problems.size()))));
        }
        assertTrue(n > 1000, "cases generated: " + n);
    }

    /** Cases are well formed, consistent, round-trip through the writer and reader, and put the operand on MMIO. */
    @Test
    void casesAreConsistentAndOperandsOnMmio() {
        CaseGenerator gen = new CaseGenerator(spec, 11, 4);
        CaseParser parser = new CaseParser("generated");
        for (CpuMode mode : CaseGenerator.HW_MODES) {
            for (Generated g : gen.generate(mode)) {
                ExitCase c = g.exitCase();
                new CaseMachine(c);
                String json = CaseWriter.toJson(c);
                assertEquals(json, CaseWriter.toJson(parser.parse(json, 1)), c.id());
                assertTrue(c.insn().length() <= g.meta().length(), c.id());
                MemRegion at = null;
                for (MemRegion r : c.mem()) {
                    if (c.access().gpa() >= r.gpa() && c.access().gpa() < r.end()) {
                        at = r;
                    }
                }
                if (!g.meta().variant().contains("split_np")) {
                    assertTrue(at != null && at.kind() == ExitCase.MemKind.MMIO, c.id() + ": access not on an MMIO region");
                }
            }
        }
    }

    /**
     * Cases for the KVM oracle: real16, prot16 and prot32 with paging off (no pages, the operand's region at
     * its linear address) decode as their form; port I/O cases in every mode carry an io exit whose port and
     * size agree with the instruction, and keep their code and string operands on RAM.
     */
    @Test
    void kvmCasesAreConsistent() {
        CaseGenerator gen = new CaseGenerator(spec, 13, 4);
        CaseParser parser = new CaseParser("generated");
        int mmio = 0;
        int io = 0;
        for (CpuMode mode : List.of(CpuMode.REAL16, CpuMode.PROT16, CpuMode.PROT32, CpuMode.LONG64, CpuMode.COMPAT32,
                CpuMode.COMPAT16)) {
            for (Generated g : gen.generateKvm(mode, 3, 4)) {
                ExitCase c = g.exitCase();
                new CaseMachine(c);
                String json = CaseWriter.toJson(c);
                assertEquals(json, CaseWriter.toJson(parser.parse(json, 1)), c.id());
                byte[] bytes = g.meta().bytes().toArray();
                DecodedInstruction d = new DecodedInstruction();
                int status = Decoder.decode(bytes, 0, bytes.length, mode, d);
                if (!("UD".equals(g.meta().expectedFault()) && status == DecodeStatus.LOCK_NOT_ALLOWED)) {
                    assertEquals(DecodeStatus.OK, status, c.id());
                    assertEquals(g.meta().form(), Forms.name(d.form), c.id());
                }
                if (c.exit() == ExitCase.Exit.IO) {
                    io++;
                    assertTrue(c.io() != null && c.access() == null, c.id());
                    for (MemRegion r : c.mem()) {
                        assertEquals(ExitCase.MemKind.RAM, r.kind(), c.id() + ": port I/O keeps memory on RAM");
                    }
                } else {
                    mmio++;
                    assertTrue(c.pages() == null && c.access().gpa() == c.access().gva(), c.id() + ": paging off");
                    boolean onMmio = false;
                    for (MemRegion r : c.mem()) {
                        onMmio |= r.kind() == ExitCase.MemKind.MMIO && c.access().gpa() >= r.gpa() && c.access().gpa() < r.end();
                    }
                    assertTrue(onMmio, c.id() + ": access not on an MMIO region");
                }
            }
        }
        assertTrue(mmio > 1000 && io > 100, "mmio " + mmio + ", io " + io);
    }

    @Test
    void generationIsDeterministic() {
        Entry e = spec.entries().stream().filter(x -> x.form().equals("ADD_Ev_Gv")).findFirst().orElseThrow();
        FormGenerator a = new FormGenerator(new FormShape(e), CpuMode.COMPAT16, 5);
        FormGenerator b = new FormGenerator(new FormShape(e), CpuMode.COMPAT16, 5);
        for (int i = 1; i < 20; i++) {
            assertEquals(CaseWriter.toJson(a.generate(i).exitCase()), CaseWriter.toJson(b.generate(i).exitCase()));
        }
    }
}
