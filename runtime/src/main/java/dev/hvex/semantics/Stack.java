package dev.hvex.semantics;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/** PUSH r/m and POP r/m (FF /6, 8F /0). The stack's address size is SS.B outside 64-bit mode. */
final class Stack {
    private Stack() {
    }

    static void pushpop(Engine e, DecodedInstruction d) {
        int operand = Forms.operand(d.form, 0);
        int size = d.operandSize;
        int stackSize = e.mode.is64() ? 8 : e.stackIs32() ? 4 : 2;
        long sm = ArithFlags.mask(stackSize);
        long rsp = e.gpr(4);
        if (d.op == Families.PUSHPOP_PUSH) {
            long value = e.read(operand, Engine.READ);
            long top = (rsp - size) & sm;
            e.writeMemory(DecodedInstruction.SS, top, size, value);
            e.setGpr(4, (rsp & ~sm) | top);
        } else {
            long value = e.readMemory(DecodedInstruction.SS, rsp & sm, size, Engine.READ);
            // A destination addressed through rSP sees the incremented value (SDM Vol. 2 POP).
            e.setGpr(4, (rsp & ~sm) | ((rsp + size) & sm));
            e.write(operand, value);
        }
    }
}
