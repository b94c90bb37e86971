package dev.hvex.interp;

import static dev.hvex.gen.OperandCodes.*;

import dev.hvex.EmulatorStatus;
import dev.hvex.IoPortAccessContext;
import dev.hvex.MmioAccessContext;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;

/**
 * Refuses an instruction that cannot have caused the exit: another vCPU may have rewritten the bytes
 * between the exit and the emulation (or the VMM passed a stale context). For an MMIO exit, one of the
 * instruction's memory operands must cover the reported GPA in the reported direction; for a port
 * exit, the instruction must be IN/OUT/INS/OUTS on the reported port, size and direction. The check
 * runs after the registers are fetched and before any device access; its translations are the ones
 * the instruction then reuses, so it costs no extra callback. A mismatch fails with
 * {@link EmulatorStatus.Reason#EXIT_MISMATCH} and changes nothing.
 */
public final class ExitConsistency {
    private ExitConsistency() {
    }

    static void checkMmio(Engine e, MmioAccessContext exit) {
        if (exit.accessType() == MmioAccessContext.EXECUTE) {
            return; // the exit was the instruction fetch itself
        }
        DecodedInstruction d = e.insn;
        if (d.family == Families.STRING && d.repPrefix != 0 && (e.gpr(1) & mask(d.addressSize)) == 0) {
            return; // a REP string instruction with a zero count touches nothing: only RIP moves
        }
        boolean write = exit.accessType() == MmioAccessContext.WRITE;
        long gpa = exit.gpa();
        for (int i = 0; i < Forms.MAX_OPERANDS; i++) {
            int code = Forms.operand(d.form, i);
            if (code == 0) {
                break;
            }
            if (!e.isMemory(code)) {
                continue;
            }
            int kinds = access(d, i);
            if ((kinds & (write ? Engine.WRITE : Engine.READ)) == 0) {
                continue;
            }
            if (d.family == Families.BT && method(Forms.operand(d.form, 1)) != M_I) {
                return; // a register bit offset may address any unit around the operand
            }
            int size = e.sizeOfOperand(code);
            int seg;
            long offset;
            switch (method(code)) {
                case M_X: seg = e.dataSegment(); offset = e.gpr(6) & mask(d.addressSize); break;
                case M_Y: seg = DecodedInstruction.ES; offset = e.gpr(7) & mask(d.addressSize); break;
                case M_O: seg = e.dataSegment(); offset = d.imm; break;
                default: seg = e.modrmSegment(); offset = e.effectiveAddress(); break;
            }
            if (d.family == Families.CX8) {
                size = d.vexW || (d.rex & 8) != 0 ? 16 : 8;
            }
            if (covers(e, seg, offset, size, kinds, gpa)) {
                return;
            }
        }
        if (d.family == Families.PUSHPOP) {
            return; // the stack access is implicit; the explicit operand was not the one that exited
        }
        e.fail(EmulatorStatus.INTERNAL_EMULATION_FAILURE, EmulatorStatus.Reason.EXIT_MISMATCH);
    }

    /** Whether [offset, offset+size) in seg, once translated, contains {@code gpa}. */
    private static boolean covers(Engine e, int seg, long offset, int size, int kinds, long gpa) {
        long linear = e.linearAddress(seg, offset, size, kinds);
        long first = Math.min(size, 4096 - (linear & 4095));
        long gpa0 = e.pagingOn() ? e.translate(linear, kinds) : linear;
        if (gpa >= gpa0 && gpa < gpa0 + first) {
            return true;
        }
        if (first < size) {
            long second = e.wrap(linear + first);
            long gpa1 = e.pagingOn() ? e.translate(second, kinds) : second;
            return gpa >= gpa1 && gpa < gpa1 + (size - first);
        }
        return false;
    }

    /** How the instruction uses memory operand {@code i}: {@link Engine#READ}, {@link Engine#WRITE} or both. */
    public static int access(DecodedInstruction d, int i) {
        switch (d.family) {
            case Families.MOV: case Families.MOVNTI: case Families.MOVX: case Families.MOVBE:
            case Families.SETCC: case Families.CMOVCC: case Families.SSE: case Families.AVX:
                return i == 0 ? Engine.WRITE : Engine.READ;
            case Families.TEST: case Families.CLFLUSH:
                return Engine.READ;
            case Families.ALU:
                return i == 0 && d.op != Families.ALU_CMP ? Engine.RMW : Engine.READ;
            case Families.BT:
                return d.op == Families.BT_BT ? Engine.READ : Engine.RMW;
            case Families.PUSHPOP:
                return d.op == Families.PUSHPOP_PUSH ? Engine.READ : Engine.WRITE;
            case Families.STRING:
                switch (d.op) {
                    case Families.STRING_MOVS: return i == 0 ? Engine.WRITE : Engine.READ;
                    case Families.STRING_STOS: case Families.STRING_INS: return Engine.WRITE;
                    default: return Engine.READ;
                }
            default: // RMW families: INC DEC NOT NEG XCHG CMPXCHG CMPXCHG8B XADD shifts
                return Engine.RMW;
        }
    }

    static void checkIo(Engine e, IoPortAccessContext exit) {
        DecodedInstruction d = e.insn;
        boolean write;
        int size;
        int port;
        boolean string = d.family == Families.STRING
            && (d.op == Families.STRING_INS || d.op == Families.STRING_OUTS);
        if (d.family == Families.IO) {
            write = d.op == Families.IO_OUT;
            int data = Forms.operand(d.form, write ? 1 : 0);
            size = e.sizeOfOperand(data);
            port = method(Forms.operand(d.form, write ? 0 : 1)) == M_DX ? (int) e.readGpr(2, 2) : (int) (d.imm & 0xff);
        } else if (string) {
            write = d.op == Families.STRING_OUTS;
            size = e.sizeOfOperand(Forms.operand(d.form, write ? 1 : 0));
            port = (int) e.readGpr(2, 2);
        } else {
            e.fail(EmulatorStatus.INTERNAL_EMULATION_FAILURE, EmulatorStatus.Reason.EXIT_MISMATCH);
            return;
        }
        if (!reports(exit, write, size, port, string)) {
            e.fail(EmulatorStatus.INTERNAL_EMULATION_FAILURE, EmulatorStatus.Reason.EXIT_MISMATCH);
        }
    }

    /** Whether the port exit reports exactly this access (direction, size, port, string or not). */
    static boolean reports(IoPortAccessContext exit, boolean write, int size, int port, boolean string) {
        return write == exit.isWrite() && size == exit.accessSize() && port == exit.port() && string == exit.stringOp();
    }

    private static long mask(int bytes) {
        return ArithFlags.mask(bytes);
    }
}
