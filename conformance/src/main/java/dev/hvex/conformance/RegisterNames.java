package dev.hvex.conformance;

import dev.hvex.Register;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The register names of case files ({@code rax}, {@code cs}, {@code xmm7} ...): the lower-case name of
 * the {@link Register} constant.
 */
public final class RegisterNames {
    private static final Map<String, Register> BY_NAME = new HashMap<>();
    private static final String[] NAMES = new String[Register.count()];

    static {
        for (Register r : Register.values()) {
            String n = r.name().toLowerCase(Locale.ROOT);
            BY_NAME.put(n, r);
            NAMES[r.ordinal()] = n;
        }
    }

    private RegisterNames() {
    }

    /** The register a case-file name names, or null. Case-insensitive. */
    public static Register byName(String name) {
        return BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    public static String nameOf(Register r) {
        return NAMES[r.ordinal()];
    }

    /** The valid name closest to {@code name} (edit distance), for "did you mean" messages. */
    public static String nearest(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : NAMES) {
            int d = distance(lower, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Edit distance with adjacent transpositions counting one (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i][j - 1] + 1, d[i - 1][j] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
