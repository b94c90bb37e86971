package dev.hvex.jit;

import dev.hvex.interp.Engine;

/**
 * The semantics of one cached instruction. The engine has loaded the instruction's registers and set
 * {@code e.insn} to the cached decoded instruction before {@link #run}; afterwards it advances RIP and
 * sets the changed registers. Specialized handlers are hidden classes emitted by {@link Specializer}.
 */
public abstract class Handler {
    /** Whether this handler has a {@link #runFast}; it then gets the instruction's registers itself. */
    public final boolean fast;

    protected Handler(boolean fast) {
        this.fast = fast;
    }

    public abstract void run(Engine e);

    /**
     * The fast path of a specialized handler, when the instruction's one memory operand needs nothing the
     * fast path leaves out (64-bit mode, one page, no alignment check, the exit's GPA): then it does the
     * whole instruction, exit check included, and returns true. It first gets the registers
     * ({@link Engine#fastGet}, with the batch size as a constant); then it returns false, having made no
     * device access, whenever anything is unusual, and the engine takes the general path with them.
     */
    public boolean runFast(Engine e) {
        return false;
    }
}
