package dev.hvex.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's embedding example runs, does what it says, and is the same code as the README shows. */
class EmbeddingExampleTest {

    @Test
    void theExampleEmulatesOneMmioWrite() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            MiniVmm.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).trim())
            .isEqualTo("success [MOV_Ev_Gv]: device register = 0x1234, RIP = 0x401003");
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/hvex/example/MiniVmm.java"));
        String example = source.substring(source.indexOf("// README-EXAMPLE-START") + "// README-EXAMPLE-START".length(),
            source.indexOf("// README-EXAMPLE-END")).trim();
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md must contain MiniVmm.java's example verbatim").contains(example);
    }
}
