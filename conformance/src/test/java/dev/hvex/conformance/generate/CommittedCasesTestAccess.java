package dev.hvex.conformance.generate;

import java.nio.file.Path;

/** Where the committed cases are, for tests in other packages. */
public final class CommittedCasesTestAccess {
    private CommittedCasesTestAccess() {
    }

    public static Path casesDir() {
        return CommittedCasesTest.casesDir();
    }
}
