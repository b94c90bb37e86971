package dev.hvex.generator;

import dev.hvex.spec.Spec;
import dev.hvex.spec.SpecException;
import dev.hvex.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code GeneratorMain <spec-dir> <out-dir>}: validates the opcode spec and writes the generated
 * sources of package {@code dev.hvex.gen}. A broken spec fails with one line, {@code file:line: reason}.
 */
public final class GeneratorMain {
    private GeneratorMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: GeneratorMain <spec-dir> <out-dir>");
            System.exit(2);
        }
        try {
            generate(Path.of(args[0]), Path.of(args[1]));
        } catch (SpecException e) {
            // Thrown out of main under exec:java, this becomes the build's one error line.
            throw new IllegalArgumentException("opcode spec: " + e.getMessage(), null) {
                private static final long serialVersionUID = 1L;

                @Override
                public synchronized Throwable fillInStackTrace() {
                    return this;
                }
            };
        }
    }

    /** Loads, validates and lowers the spec, and writes the sources; returns the number of forms. */
    public static int generate(Path specDir, Path outDir) throws IOException {
        Spec spec = SpecLoader.load(specDir);
        Lowering low = new Lowering(spec);
        new Emitter(low, outDir).emitAll();
        return low.formNames.size();
    }
}
