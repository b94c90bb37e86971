package dev.hvex.jit;

import dev.hvex.interp.Engine;

/**
 * The semantics of one cached instruction. The engine has loaded the instruction's registers and set
 * {@code e.insn} to the cached decoded instruction before {@link #run}; afterwards it advances RIP and
 * sets the changed registers. Specialized handlers are hidden classes emitted by {@link Specializer}.
 */
public abstract class Handler {
    public abstract void run(Engine e);
}
