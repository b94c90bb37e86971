package dev.hvex.semantics;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/** ADD OR ADC SBB AND SUB XOR CMP, TEST, INC DEC, NOT NEG, CMPXCHG, CMPXCHG8B/16B, XADD. */
public final class Arith {
    private Arith() {
    }

    static void alu(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        int size = e.sizeOfOperand(dst);
        long m = ArithFlags.mask(size);
        boolean compare = d.op == Families.ALU_CMP;
        long a = e.read(dst, compare ? Engine.READ : Engine.RMW) & m;
        long b = e.read(src, Engine.READ) & m;
        long carry = e.carry();
        if (!compare) {
            e.write(dst, aluResult(d.op, a, b, carry) & m);
        }
        e.setFlags(aluFlags(d.op, a, b, carry, size), Forms.flagsWritten(d.form));
    }

    /** The result of ALU operation {@code op} ({@link Families} ALU_*); the caller truncates it. */
    public static long aluResult(int op, long a, long b, long carry) {
        switch (op) {
            case Families.ALU_ADD: return a + b;
            case Families.ALU_ADC: return a + b + carry;
            case Families.ALU_SUB: case Families.ALU_CMP: return a - b;
            case Families.ALU_SBB: return a - b - carry;
            case Families.ALU_AND: return a & b;
            case Families.ALU_OR: return a | b;
            default: return a ^ b;
        }
    }

    /** The status flags of ALU operation {@code op} on operands truncated to {@code size} bytes. */
    public static int aluFlags(int op, long a, long b, long carry, int size) {
        switch (op) {
            case Families.ALU_ADD: return ArithFlags.add(a, b, 0, size);
            case Families.ALU_ADC: return ArithFlags.add(a, b, carry, size);
            case Families.ALU_SUB: case Families.ALU_CMP: return ArithFlags.sub(a, b, 0, size);
            case Families.ALU_SBB: return ArithFlags.sub(a, b, carry, size);
            case Families.ALU_AND: return ArithFlags.logic(a & b, size);
            case Families.ALU_OR: return ArithFlags.logic(a | b, size);
            default: return ArithFlags.logic(a ^ b, size);
        }
    }

    static void test(Engine e, DecodedInstruction d) {
        int a = Forms.operand(d.form, 0);
        int size = e.sizeOfOperand(a);
        long r = e.read(a, Engine.READ) & e.read(Forms.operand(d.form, 1), Engine.READ);
        e.setFlags(ArithFlags.logic(r & ArithFlags.mask(size), size), Forms.flagsWritten(d.form));
    }

    static void incdec(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int size = e.sizeOfOperand(dst);
        long a = e.read(dst, Engine.RMW);
        e.write(dst, incdecResult(d.op, a) & ArithFlags.mask(size));
        e.setFlags(incdecFlags(d.op, a, size), Forms.flagsWritten(d.form));
    }

    public static long incdecResult(int op, long a) {
        return op == Families.INCDEC_INC ? a + 1 : a - 1;
    }

    public static int incdecFlags(int op, long a, int size) {
        return op == Families.INCDEC_INC ? ArithFlags.add(a, 1, 0, size) : ArithFlags.sub(a, 1, 0, size);
    }

    static void notneg(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int size = e.sizeOfOperand(dst);
        long a = e.read(dst, Engine.RMW) & ArithFlags.mask(size);
        e.write(dst, notnegResult(d.op, a) & ArithFlags.mask(size));
        if (d.op == Families.NOTNEG_NEG) {
            e.setFlags(ArithFlags.sub(0, a, 0, size), Forms.flagsWritten(d.form));
        }
    }

    public static long notnegResult(int op, long a) {
        return op == Families.NOTNEG_NOT ? ~a : -a;
    }

    /**
     * CMPXCHG: on a mismatch the destination is written back unchanged (the processor always performs
     * the write cycle, SDM Vol. 2 CMPXCHG) and the accumulator takes the destination's value.
     */
    static void cmpxchg(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int size = e.sizeOfOperand(dst);
        long m = ArithFlags.mask(size);
        long acc = e.readGpr(0, size);
        long old = e.read(dst, Engine.RMW) & m;
        long src = e.read(Forms.operand(d.form, 1), Engine.READ);
        e.setFlags(ArithFlags.sub(acc, old, 0, size), Forms.flagsWritten(d.form));
        if (acc == old) {
            e.write(dst, src);
        } else {
            e.write(dst, old);
            e.writeGpr(0, size, old);
        }
    }

    static void cmpxchg8b16b(Engine e, DecodedInstruction d) {
        int seg = e.modrmSegment();
        long ea = e.effectiveAddress();
        boolean wide = d.vexW || (d.rex & 8) != 0;
        int half = wide ? 8 : 4;
        long linear = 0;
        long lo;
        long hi;
        if (wide) {
            // 16 bytes, aligned (SDM: #GP(0) if m128 is not 16-byte aligned), validated for writing.
            linear = e.linearAddress(seg, ea, 16, Engine.RMW);
            if ((linear & 15) != 0) {
                e.fault(13, true, 0);
            }
            lo = e.readLinear(linear, 8, Engine.RMW);
            hi = e.readLinear(linear + 8, 8, Engine.RMW);
        } else {
            long q = e.readMemory(seg, ea, 8, Engine.RMW);
            lo = q & 0xffffffffL;
            hi = q >>> 32;
        }
        long m = ArithFlags.mask(half);
        boolean equal = lo == e.readGpr(0, half) && hi == e.readGpr(2, half);
        long newLo = equal ? e.readGpr(3, half) : lo;
        long newHi = equal ? e.readGpr(1, half) : hi;
        if (wide) {
            e.writeLinear(linear, 8, newLo);
            e.writeLinear(linear + 8, 8, newHi);
        } else {
            e.writeMemory(seg, ea, 8, (newLo & m) | (newHi << 32));
        }
        if (!equal) {
            e.writeGpr(0, half, lo);
            e.writeGpr(2, half, hi);
        }
        e.setFlags(equal ? ArithFlags.ZF : 0, ArithFlags.ZF);
    }

    static void xadd(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        int size = e.sizeOfOperand(dst);
        long m = ArithFlags.mask(size);
        long a = e.read(dst, Engine.RMW) & m;
        long b = e.read(src, Engine.READ) & m;
        e.write(src, a);
        e.write(dst, (a + b) & m); // last, so that XADD r, r leaves the sum (SDM: DEST <- TEMP)
        e.setFlags(ArithFlags.add(a, b, 0, size), Forms.flagsWritten(d.form));
    }
}
