package dev.hvex.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.CpuMode;
import dev.hvex.generator.GeneratorMain;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contributor's path, end to end: one YAML entry added to a copy of the spec, the generator run, the
 * tables compiled, and the unchanged decoder (loaded beside the new tables) decodes the new form.
 */
class SpecChangeReachesDecoderTest {
    private static final byte[] NEW_INSTRUCTION = {0x0f, 0x04, 0x07}; // 0F 04 is undefined in the real spec

    @TempDir
    Path tmp;

    @Test
    void aNewSpecEntryIsDecodedWithNoCodeChange() throws Exception {
        DecodedInstruction d = new DecodedInstruction();
        assertThat(Decoder.decode(NEW_INSTRUCTION, 0, 3, CpuMode.LONG64, d)).isEqualTo(DecodeStatus.UNDEFINED);

        Path spec = tmp.resolve("spec");
        Files.createDirectories(spec);
        try (Stream<Path> files = Files.list(Path.of("../opcode-spec/spec"))) {
            for (Path f : files.toList()) {
                Files.copy(f, spec.resolve(f.getFileName()));
            }
        }
        Files.writeString(spec.resolve("contributed.yaml"),
            "entries:\n- {mnem: HVEXDEMO, enc: 0F 04 /r, ops: [Ev, Gv], family: mov}\n");
        Path sources = tmp.resolve("src");
        GeneratorMain.generate(spec, sources);

        Path runtimeClasses = Path.of(Decoder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        List<String> javaFiles;
        try (Stream<Path> s = Files.walk(sources)) {
            javaFiles = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String[] args = Stream.concat(Stream.of("-d", classes.toString(), "-cp", runtimeClasses.toString(),
            "-proc:none", "-nowarn"), javaFiles.stream()).toArray(String[]::new);
        java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        assertThat(javac.run(null, errors, errors, args)).as("javac: %s", errors).isZero();

        try (URLClassLoader loader = new ChildFirst(new URL[] {classes.toUri().toURL(), runtimeClasses.toUri().toURL()})) {
            Class<?> decoder = loader.loadClass("dev.hvex.decode.Decoder");
            Class<?> insnClass = loader.loadClass("dev.hvex.decode.DecodedInstruction");
            Object insn = insnClass.getConstructor().newInstance();
            int status = (int) decoder.getMethod("decode", byte[].class, int.class, int.class, CpuMode.class, insnClass)
                .invoke(null, NEW_INSTRUCTION, 0, 3, CpuMode.LONG64, insn);
            assertThat(status).isEqualTo(DecodeStatus.OK);
            assertThat(insnClass.getMethod("formName").invoke(insn)).isEqualTo("HVEXDEMO_Ev_Gv");
            assertThat(insnClass.getField("length").get(insn)).isEqualTo(3);
        }
    }

    /** Loads hvex's own classes from the given URLs first, so the decoder links to the new tables. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL[] urls) {
            super(urls, ChildFirst.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.hvex.") || name.equals("dev.hvex.CpuMode")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = super.loadClass(name, resolve);
                    }
                }
                return c;
            }
        }
    }

}
