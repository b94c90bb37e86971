package dev.hvex.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of broken spec is refused with one line naming file and line. */
class BrokenSpecTest {
    private static final String FAMILIES = "mov:\nalu: [add, sub]\n";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown key | - {mnem: MOV, enc: 89 /r, ops: [Ev, Gv], family: mov, colour: red} | x.yaml:2: unknown key 'colour'",
        "missing mnem | - {enc: 89 /r, ops: [Ev, Gv]} | x.yaml:2: missing required key 'mnem'",
        "missing enc | - {mnem: MOV, ops: [Ev, Gv]} | x.yaml:2: missing required key 'enc'",
        "unknown family | - {mnem: MOV, enc: 89 /r, ops: [Ev, Gv], family: teleport} | x.yaml:2: unknown family 'teleport'",
        "unknown operation | - {mnem: ADD, enc: 01 /r, ops: [Ev, Gv], family: alu, op: mul} | x.yaml:2: unknown operation 'mul' of family 'alu'",
        "missing operation | - {mnem: ADD, enc: 01 /r, ops: [Ev, Gv], family: alu} | x.yaml:2: missing required key 'op'",
        "unknown operand | - {mnem: MOV, enc: 89 /r, ops: [Ev, Kv], family: mov} | x.yaml:2: unknown operand form 'Kv'",
        "bad enc | - {mnem: MOV, enc: 0F 8G /r, ops: [Ev, Gv]} | x.yaml:2: enc '0F 8G /r': opcode '8G' is not two hex digits",
        "ModRM needed | - {mnem: MOV, enc: 89, ops: [Ev, Gv]} | x.yaml:2: operands [Ev, Gv] need a ModRM byte",
        "bad flag | - {mnem: MOV, enc: 89 /r, ops: [Ev, Gv], flags: {write: OSX}} | x.yaml:2: unknown flag letter in 'OSX'",
        "bad mode | - {mnem: MOV, enc: 89 /r, ops: [Ev, Gv], modes: sometimes} | x.yaml:2: unknown modes 'sometimes'",
    })
    void oneEntryProblems(String what, String entry, String expected) throws IOException {
        write("x.yaml", "entries:\n" + entry + "\n");
        assertThatThrownBy(() -> SpecLoader.load(dir))
            .isInstanceOf(SpecException.class)
            .hasMessageStartingWith(expected)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "duplicate encoding | - {mnem: MOV, enc: 89 /r, ops: [Ev, Gv]}\\n- {mnem: MOVE, enc: 89 /r, ops: [Ev, Gv]} | x.yaml:3: MOVE_Ev_Gv overlaps MOV_Ev_Gv (x.yaml:2)",
        "overlap by digit | - {mnem: A, enc: 80 /r, ops: [Eb, Ib]}\\n- {mnem: B, enc: 80 /3, ops: [Eb, Ib]} | x.yaml:3: B_Eb_Ib overlaps A_Eb_Ib (x.yaml:2)",
        "duplicate form name | - {mnem: A, enc: 80 /1, ops: [Eb, Ib], form: X}\\n- {mnem: B, enc: 80 /2, ops: [Eb, Ib], form: X} | x.yaml:3: duplicate form name 'X' (first at x.yaml:2)",
        "ModRM disagreement | - {mnem: A, enc: 90}\\n- {mnem: B, enc: F3 90 /r, ops: [Ev, Gv]} | x.yaml:3: 1B 90: this entry takes a ModRM byte",
        "malformed YAML | - {mnem: A, enc: 90\\n- ] | x.yaml:3: YAML:",
    })
    void crossEntryProblems(String what, String entries, String expected) throws IOException {
        write("x.yaml", "entries:\n" + entries.replace("\\n", "\n") + "\n");
        assertThatThrownBy(() -> SpecLoader.load(dir))
            .isInstanceOf(SpecException.class)
            .hasMessageStartingWith(expected)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @org.junit.jupiter.api.Test
    void aCorrectFileLoads() throws IOException {
        write("x.yaml", "defaults: {family: alu}\nentries:\n- {mnem: ADD, enc: 01 /r, ops: [Ev, Gv], op: add, lock: true}\n");
        Spec spec = SpecLoader.load(dir);
        assertThat(spec.entries()).singleElement().satisfies(e -> {
            assertThat(e.form()).isEqualTo("ADD_Ev_Gv");
            assertThat(e.family()).isEqualTo("alu");
            assertThat(e.lock()).isTrue();
        });
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve("families.yaml"), FAMILIES);
        Files.writeString(dir.resolve(name), text);
    }
}
