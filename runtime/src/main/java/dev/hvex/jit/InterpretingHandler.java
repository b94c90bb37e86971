package dev.hvex.jit;

import dev.hvex.interp.Engine;
import dev.hvex.semantics.Semantics;

/**
 * The handler of cached instructions whose family has no bytecode emitter (strings, ports, vectors,
 * ...): decoding and register gathering are skipped, the family's semantics run as in the interpreter.
 */
final class InterpretingHandler extends Handler {
    static final InterpretingHandler INSTANCE = new InterpretingHandler();

    private InterpretingHandler() {
        super(false);
    }

    @Override
    public void run(Engine e) {
        Semantics.execute(e, e.insn);
    }
}
