package dev.hvex.conformance.generate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays every committed hardware case ({@code conformance/cases/*.jsonl.gz}) through the emulator. Prints
 * the pass counts per family x mode; fails with every failing case id and its differences. Needs neither
 * /dev/kvm nor the oracle binary.
 */
class CommittedCasesTest {
    /** Failing cases listed in full in the failure message; the rest are counted by pattern. */
    private static final int LISTED = 400;

    static Path casesDir() {
        Path dir = Path.of("cases");
        return Files.isDirectory(dir) ? dir : Path.of("conformance/cases");
    }

    @Test
    void everyCommittedCasePasses() throws IOException {
        List<Path> files = CaseReplay.caseFiles(casesDir());
        assertFalse(files.isEmpty(), "no case files in " + casesDir().toAbsolutePath());
        CaseReplay replay = new CaseReplay();
        for (Path f : files) {
            replay.replay(f);
        }
        replay.printCounts(System.out);
        if (replay.failures().isEmpty()) {
            return;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        out.println(replay.failures().size() + " of " + replay.total() + " committed cases fail. By pattern:");
        replay.byPattern().forEach((p, l) -> out.println("  " + l.size() + " x " + p));
        out.println("Failing cases:");
        replay.failures().stream().limit(LISTED).forEach(f -> out.println("  " + f.describe()));
        if (replay.failures().size() > LISTED) {
            out.println("  ... and " + (replay.failures().size() - LISTED) + " more:");
            replay.failures().stream().skip(LISTED).forEach(f -> out.println("  " + f.id()));
        }
        fail(buf.toString(StandardCharsets.UTF_8));
    }
}
