package dev.hvex.semantics;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.interp.Engine;

/**
 * Dispatch from the spec's family (generated {@link Families} constants) to the family's semantics.
 * This switch is the only place that maps families to code; the spec decides which family an
 * instruction belongs to.
 */
public final class Semantics {
    private Semantics() {
    }

    public static void execute(Engine e, DecodedInstruction d) {
        switch (d.family) {
            case Families.MOV: Moves.mov(e, d); break;
            case Families.MOVX: Moves.movx(e, d); break;
            case Families.MOVBE: Moves.movbe(e, d); break;
            case Families.MOVNTI: Moves.mov(e, d); break;
            case Families.XCHG: Moves.xchg(e, d); break;
            case Families.SETCC: Moves.setcc(e, d); break;
            case Families.CMOVCC: Moves.cmovcc(e, d); break;
            case Families.ALU: Arith.alu(e, d); break;
            case Families.TEST: Arith.test(e, d); break;
            case Families.INCDEC: Arith.incdec(e, d); break;
            case Families.NOTNEG: Arith.notneg(e, d); break;
            case Families.CMPXCHG: Arith.cmpxchg(e, d); break;
            case Families.CX8: Arith.cmpxchg8b16b(e, d); break;
            case Families.XADD: Arith.xadd(e, d); break;
            case Families.BT: Bits.bt(e, d); break;
            case Families.SHIFT: Bits.shift(e, d); break;
            case Families.PUSHPOP: Stack.pushpop(e, d); break;
            case Families.STRING: Strings.execute(e, d); break;
            case Families.IO: Ports.inOut(e, d); break;
            case Families.SSE: Vector.sse(e, d); break;
            case Families.AVX: Vector.avx(e, d); break;
            case Families.CLFLUSH: Vector.clflush(e, d); break;
            default: throw new IllegalStateException("no semantics for family " + Families.name(d.family));
        }
    }

    /** The registers a family uses beyond its explicit operands, so the one get callback fetches them. */
    public static void extraRegisters(Engine e, DecodedInstruction d) {
        switch (d.family) {
            case Families.CMPXCHG: e.wantGpr(0); break;
            case Families.CX8: e.wantGpr(0); e.wantGpr(1); e.wantGpr(2); e.wantGpr(3); break;
            case Families.PUSHPOP: e.wantGpr(4); e.wantSegment(DecodedInstruction.SS); break;
            case Families.STRING: Strings.extraRegisters(e, d); break;
            case Families.AVX: Vector.avxRegisters(e, d); break;
            default: break;
        }
    }
}
