package dev.hvex.conformance;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;

/**
 * Replays exit cases through one {@link Emulator} (FORMAT.md "Replaying a case"): builds a
 * {@link CaseMachine} from each case, emulates the exit with the machine as the callbacks' context, and
 * compares the outcome with the expectation.
 *
 * <pre>{@code
 * try (CaseRunner runner = new CaseRunner(); CaseReader cases = CaseReader.open(file)) {
 *     for (ExitCase c : cases) {
 *         ReplayResult r = runner.replay(c);
 *         if (!r.passed()) System.out.println(c.id() + " " + r.differences());
 *     }
 * }
 * }</pre>
 *
 * For benchmarks: {@code CaseMachine m = runner.prepare(c);} once, then {@code runner.run(m)} as often as
 * needed; each run restores the case's initial state and allocates nothing in the runner.
 */
public final class CaseRunner implements AutoCloseable {
    private final EmulatorOptions options;
    private Emulator emulator;

    /** A runner whose emulator completes REP string instructions in one call, as the expectations assume. */
    public CaseRunner() {
        this(conformanceOptions());
    }

    public CaseRunner(EmulatorOptions options) {
        this.options = options;
        this.emulator = Emulator.create(ReplayCallbacks.INSTANCE, options);
    }

    /** The default options with an unbounded REP budget (a case's expectation is the whole instruction). */
    public static EmulatorOptions conformanceOptions() {
        return EmulatorOptions.defaults().withRepBudget(Long.MAX_VALUE);
    }

    public Emulator emulator() {
        return emulator;
    }

    /**
     * Builds the machine of a case (once per case).
     *
     * @throws InvalidCaseException when the case contradicts itself
     */
    public CaseMachine prepare(ExitCase c) {
        return new CaseMachine(c);
    }

    /** Resets the machine and emulates its exit; the status is the emulator's, valid until the next run. */
    public EmulatorStatus run(CaseMachine m) {
        return m.run(emulator);
    }

    /** Replaces the emulator with a new one: for after it threw an exception, which may leave it unusable. */
    public void renew() {
        emulator = Emulator.create(ReplayCallbacks.INSTANCE, options);
    }

    public ReplayResult replay(ExitCase c) {
        return replay(prepare(c));
    }

    /** Runs the machine's exit and compares it with the case's expectation. */
    public ReplayResult replay(CaseMachine m) {
        Outcome o;
        try {
            o = Outcome.of(m.run(emulator));
        } catch (RuntimeException | StackOverflowError | AssertionError | LinkageError t) {
            o = Outcome.crashed(t);
            renew();
        }
        return new ReplayResult(m.exitCase(), o, m.accesses(), Verifier.registerChanges(m), Verifier.memoryChanges(m),
                Verifier.compare(m, o), m.callbackFailure());
    }

    @Override
    public void close() {
        emulator.close();
    }
}
