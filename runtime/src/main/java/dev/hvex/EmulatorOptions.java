package dev.hvex;

import dev.hvex.jit.HandlerCache;

/** Tuning knobs of an {@link Emulator}. Immutable; build with the with-methods from {@link #defaults()}. */
public final class EmulatorOptions {
    private final long repBudget;
    private final boolean specialize;
    private final int specializeThreshold;
    private final HandlerCache cache;
    private final boolean verifyExits;

    private EmulatorOptions(long repBudget, boolean specialize, int specializeThreshold, HandlerCache cache,
                            boolean verifyExits) {
        this.repBudget = repBudget;
        this.specialize = specialize;
        this.specializeThreshold = specializeThreshold;
        this.cache = cache;
        this.verifyExits = verifyExits;
    }

    public static EmulatorOptions defaults() {
        return new EmulatorOptions(1024, true, 16, HandlerCache.shared(), true);
    }

    /**
     * Whether the emulator refuses an instruction that cannot have caused the exit (no memory operand
     * at the reported GPA and direction; not an IN/OUT on the reported port): on by default, since
     * another vCPU can rewrite the instruction between the exit and the emulation.
     */
    public boolean verifyExits() {
        return verifyExits;
    }

    public EmulatorOptions withVerifyExits(boolean value) {
        return new EmulatorOptions(repBudget, specialize, specializeThreshold, cache, value);
    }

    /** The handler cache: by default the one shared by every emulator of the JVM. */
    public HandlerCache cache() {
        return cache;
    }

    /** Uses another cache (for isolation in tests, or a different size). */
    public EmulatorOptions withCache(HandlerCache value) {
        return new EmulatorOptions(repBudget, specialize, specializeThreshold, java.util.Objects.requireNonNull(value), verifyExits);
    }

    /**
     * Iterations of a REP string instruction per call. When the budget runs out the instruction stops at
     * an iteration boundary with RIP unchanged, as hardware does when an interrupt arrives, so the guest
     * re-executes it and the VMM gets another exit.
     */
    public long repBudget() {
        return repBudget;
    }

    public EmulatorOptions withRepBudget(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("repBudget must be at least 1, was " + value);
        }
        return new EmulatorOptions(value, specialize, specializeThreshold, cache, verifyExits);
    }

    /** Whether hot instructions get a specialized handler (false: interpreter only). */
    public boolean specialize() {
        return specialize;
    }

    public EmulatorOptions withSpecialize(boolean value) {
        return new EmulatorOptions(repBudget, value, specializeThreshold, cache, verifyExits);
    }

    /** How many executions of the same bytes in the same mode before a handler is specialized. */
    public int specializeThreshold() {
        return specializeThreshold;
    }

    public EmulatorOptions withSpecializeThreshold(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("specializeThreshold must be >= 0, was " + value);
        }
        return new EmulatorOptions(repBudget, specialize, value, cache, verifyExits);
    }
}
