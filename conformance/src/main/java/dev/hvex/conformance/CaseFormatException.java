package dev.hvex.conformance;

/**
 * Malformed case input. The message is one line: {@code file:line:column: case 'id': problem}
 * (the column and the case id when known); for a missing required key the problem names the key's path.
 */
public final class CaseFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String caseId;
    private final String key;
    private final String problem;

    public CaseFormatException(String source, int line, int column, String caseId, String key, String problem) {
        super(format(source, line, column, caseId, problem));
        this.source = source;
        this.line = line;
        this.column = column;
        this.caseId = caseId;
        this.key = key;
        this.problem = problem;
    }

    private static String format(String source, int line, int column, String caseId, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(source == null ? "<input>" : source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (caseId != null) {
            sb.append("case '").append(caseId).append("': ");
        }
        sb.append(problem.replace('\n', ' ').replace('\r', ' '));
        return sb.toString();
    }

    /** The file (or other input name). */
    public String source() {
        return source;
    }

    /** 1-based line, 0 if unknown. */
    public int line() {
        return line;
    }

    /** 1-based column, 0 if unknown. */
    public int column() {
        return column;
    }

    /** The id of the case, when known. */
    public String caseId() {
        return caseId;
    }

    /** For a missing or bad key: its path ({@code regs.cs.attr}); else null. */
    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
