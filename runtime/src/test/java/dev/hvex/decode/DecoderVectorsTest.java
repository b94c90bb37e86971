package dev.hvex.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.CpuMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against {@code decoder/vectors.txt}: one case a line, expected values from the SDM.
 * Hex may contain spaces for readability.
 */
class DecoderVectorsTest {

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            DecoderVectorsTest.class.getResourceAsStream("/decoder/vectors.txt"), StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                out.add(Arguments.of(n, line));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @MethodSource("vectors")
    void decodesAsTheSdmSays(int lineNo, String line) {
        String[] halves = line.split("\\|");
        String[] left = halves[0].trim().split("\\s+");
        String[] t = halves[1].trim().split("\\s+");
        CpuMode mode = CpuMode.fromLabel(left[0]);
        assertThat(mode).as("mode").isNotNull();
        String hex = left.length > 1 ? left[1] : "";
        byte[] bytes = new byte[hex.length() / 2];
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = (byte) Integer.parseInt(hex.substring(2 * k, 2 * k + 2), 16);
        }
        DecodedInstruction d = new DecodedInstruction();
        int status = Decoder.decode(bytes, 0, bytes.length, mode, d);
        int i = 0;
        String expect = t[i];
        if (!expect.matches("\\d+")) {
            assertThat(DecodeStatus.name(status)).isEqualTo(expect.toLowerCase().replace('_', '-'));
            return;
        }
        assertThat(DecodeStatus.name(status)).as("status").isEqualTo("ok");
        assertThat(d.length).as("length").isEqualTo(Integer.parseInt(expect));
        assertThat(d.formName()).as("form").isEqualTo(t[i + 1]);
        for (int k = i + 2; k < t.length; k++) {
            String[] kv = t[k].split("=");
            long want = Long.decode(kv[1]);
            long got;
            switch (kv[0]) {
                case "osz": got = d.operandSize; break;
                case "asz": got = d.addressSize; break;
                case "reg": got = d.reg; break;
                case "rm": got = d.rm; break;
                case "base": got = d.base; break;
                case "index": got = d.index; break;
                case "scale": got = d.scale; break;
                case "disp": got = d.disp; break;
                case "imm": got = d.imm; break;
                case "seg": got = d.segmentOverride; break;
                case "lock": got = d.lock ? 1 : 0; break;
                case "rep": got = d.repPrefix; break;
                default: throw new IllegalArgumentException("unknown field " + kv[0]);
            }
            assertThat(got).as(kv[0]).isEqualTo(want);
        }
    }
}
