package dev.hvex.conformance;

/** A well-formed case whose contents contradict each other (e.g. {@code mode} and {@code cr0}/{@code cs}). */
public final class InvalidCaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String caseId;
    private final String problem;

    public InvalidCaseException(String caseId, String problem) {
        super("case '" + caseId + "': " + problem);
        this.caseId = caseId;
        this.problem = problem;
    }

    public String caseId() {
        return caseId;
    }

    public String problem() {
        return problem;
    }
}
