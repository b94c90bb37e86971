package dev.hvex.semantics;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/** MOV, MOVZX/MOVSX/MOVSXD, MOVBE, MOVNTI, XCHG, SETcc, CMOVcc. */
final class Moves {
    private Moves() {
    }

    static void mov(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        e.write(dst, e.read(src, Engine.READ));
    }

    static void movx(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        long v = e.read(src, Engine.READ);
        if (d.op == Families.MOVX_SX) {
            v = ArithFlags.signExtend(v, e.sizeOfOperand(src));
        }
        e.write(dst, v);
    }

    static void movbe(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        long v = e.read(src, Engine.READ);
        int size = e.sizeOfOperand(src);
        e.write(dst, Long.reverseBytes(v) >>> (64 - 8 * size));
    }

    static void xchg(Engine e, DecodedInstruction d) {
        int a = Forms.operand(d.form, 0);
        int b = Forms.operand(d.form, 1);
        long va = e.read(a, Engine.RMW);
        long vb = e.read(b, Engine.READ);
        e.write(a, vb);
        e.write(b, va);
    }

    static void setcc(Engine e, DecodedInstruction d) {
        e.write(Forms.operand(d.form, 0), e.condition(Forms.cond(d.form)) ? 1 : 0);
    }

    /** The source is read even when the condition is false; a false 32-bit CMOV still clears bits 63:32. */
    static void cmovcc(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        long v = e.read(Forms.operand(d.form, 1), Engine.READ);
        if (e.condition(Forms.cond(d.form))) {
            e.write(dst, v);
        } else if (d.operandSize == 4 && e.mode.is64()) {
            e.write(dst, e.read(dst, Engine.READ));
        }
    }
}
