package dev.hvex.semantics;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/**
 * MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE. Each iteration completes (reads, writes,
 * rSI/rDI/rCX updates) before the next starts, and its register progress survives a fault in a later
 * iteration. After the engine's iteration budget the instruction stops with RIP unchanged, as after an
 * interrupt between iterations (SDM Vol. 2 REP), and the guest simply executes it again.
 */
final class Strings {
    private Strings() {
    }

    static void extraRegisters(Engine e, DecodedInstruction d) {
        if (repeats(d)) {
            e.wantGpr(1);
        }
    }

    private static boolean repeats(DecodedInstruction d) {
        return d.repPrefix != 0 && (d.attrs & (Forms.ATTR_REP | Forms.ATTR_REPE)) != 0;
    }

    static void execute(Engine e, DecodedInstruction d) {
        int op = d.op;
        int size = e.sizeOfOperand(Forms.operand(d.form, op == Families.STRING_LODS || op == Families.STRING_SCAS ? 1 : 0));
        if (op == Families.STRING_OUTS) {
            size = e.sizeOfOperand(Forms.operand(d.form, 1));
        }
        if (op == Families.STRING_INS || op == Families.STRING_OUTS) {
            e.checkIoPermission();
        }
        long am = ArithFlags.mask(d.addressSize);
        long delta = e.flag((int) ArithFlags.DF) ? -size : size;
        boolean rep = repeats(d);
        boolean conditional = (d.attrs & Forms.ATTR_REPE) != 0;
        boolean repeWhileEqual = d.repPrefix == 0xF3;
        long budget = e.options().repBudget();
        int srcSeg = e.dataSegment();
        int port = (int) e.readGpr(2, 2);
        long done = 0;
        while (true) {
            if (rep && (e.gpr(1) & am) == 0) {
                break;
            }
            if (done == budget) {
                e.repInterrupted = true;
                break;
            }
            long rsi = e.gpr(6) & am;
            long rdi = e.gpr(7) & am;
            switch (op) {
                case Families.STRING_MOVS: {
                    long v = e.readMemory(srcSeg, rsi, size, Engine.READ);
                    e.writeMemory(DecodedInstruction.ES, rdi, size, v);
                    advance(e, 6, delta, am);
                    advance(e, 7, delta, am);
                    break;
                }
                case Families.STRING_CMPS: {
                    long a = e.readMemory(srcSeg, rsi, size, Engine.READ);
                    long b = e.readMemory(DecodedInstruction.ES, rdi, size, Engine.READ);
                    e.setFlags(ArithFlags.sub(a, b, 0, size), Forms.flagsWritten(d.form));
                    advance(e, 6, delta, am);
                    advance(e, 7, delta, am);
                    break;
                }
                case Families.STRING_STOS:
                    e.writeMemory(DecodedInstruction.ES, rdi, size, e.readGpr(0, size));
                    advance(e, 7, delta, am);
                    break;
                case Families.STRING_LODS:
                    e.writeGpr(0, size, e.readMemory(srcSeg, rsi, size, Engine.READ));
                    advance(e, 6, delta, am);
                    break;
                case Families.STRING_SCAS: {
                    long b = e.readMemory(DecodedInstruction.ES, rdi, size, Engine.READ);
                    e.setFlags(ArithFlags.sub(e.readGpr(0, size), b, 0, size), Forms.flagsWritten(d.form));
                    advance(e, 7, delta, am);
                    break;
                }
                case Families.STRING_INS: {
                    // The destination is checked before the port is read: a port read has side effects.
                    long linear = e.linearAddress(DecodedInstruction.ES, rdi, size, Engine.WRITE);
                    e.translateIfPaging(linear, size, Engine.WRITE);
                    long v = e.portRead(port, size);
                    e.writeLinear(linear, size, v);
                    advance(e, 7, delta, am);
                    break;
                }
                default: { // OUTS
                    long v = e.readMemory(srcSeg, rsi, size, Engine.READ);
                    e.portWrite(port, size, v);
                    advance(e, 6, delta, am);
                    break;
                }
            }
            done++;
            if (!rep) {
                break;
            }
            e.writeAddressRegister(1, e.gpr(1) - 1);
            e.commitProgress();
            if (conditional && (repeWhileEqual != e.flag(ArithFlags.ZF))) {
                break;
            }
        }
    }

    private static void advance(Engine e, int reg, long delta, long am) {
        e.writeAddressRegister(reg, e.gpr(reg) + delta);
    }
}
