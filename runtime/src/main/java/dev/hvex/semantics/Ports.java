package dev.hvex.semantics;

import static dev.hvex.gen.OperandCodes.M_DX;
import static dev.hvex.gen.OperandCodes.method;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.Engine;

/** IN and OUT by immediate port or DX. */
final class Ports {
    private Ports() {
    }

    static void inOut(Engine e, DecodedInstruction d) {
        boolean in = d.op == Families.IO_IN;
        int portOperand = Forms.operand(d.form, in ? 1 : 0);
        int data = Forms.operand(d.form, in ? 0 : 1);
        int port = method(portOperand) == M_DX ? (int) e.readGpr(2, 2) : (int) (d.imm & 0xff);
        int size = e.sizeOfOperand(data);
        e.checkIoPermission();
        if (in) {
            e.write(data, e.portRead(port, size));
        } else {
            e.portWrite(port, size, e.read(data, Engine.READ));
        }
    }
}
