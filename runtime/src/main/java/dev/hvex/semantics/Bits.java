package dev.hvex.semantics;

import static dev.hvex.gen.OperandCodes.M_I;
import static dev.hvex.gen.OperandCodes.method;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/** BT BTS BTR BTC and the group-2 shifts and rotates. */
final class Bits {
    private Bits() {
    }

    /**
     * With a register bit offset and a memory operand, the offset is signed and selects an operand-size
     * unit anywhere relative to the address (SDM Vol. 2 BT, "bit base, bit offset"); the access is one
     * operand-size unit at that address. Immediate offsets are taken modulo the operand size.
     */
    static void bt(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        int size = e.sizeOfOperand(dst);
        int bits = size * 8;
        int kind = d.op == Families.BT_BT ? Engine.READ : Engine.RMW;
        long offset = e.read(src, Engine.READ);
        long value;
        int seg = 0;
        long address = 0;
        if (method(src) == M_I) {
            offset &= 0xff;
        }
        boolean memory = e.isMemory(dst);
        if (memory) {
            seg = e.modrmSegment();
            address = e.effectiveAddress();
            if (method(src) != M_I) {
                long signed = ArithFlags.signExtend(offset, size);
                address = (address + (signed >> (Integer.numberOfTrailingZeros(bits))) * size)
                    & ArithFlags.mask(d.addressSize);
            }
            value = e.readMemory(seg, address, size, kind);
        } else {
            value = e.read(dst, Engine.READ);
        }
        int bit = (int) (offset & (bits - 1));
        long mask = 1L << bit;
        boolean old = (value & mask) != 0;
        long result;
        switch (d.op) {
            case Families.BT_BTS: result = value | mask; break;
            case Families.BT_BTR: result = value & ~mask; break;
            case Families.BT_BTC: result = value ^ mask; break;
            default: result = value; break;
        }
        if (d.op != Families.BT_BT) {
            if (memory) {
                e.writeMemory(seg, address, size, result);
            } else {
                e.write(dst, result);
            }
        }
        e.setFlags(old ? ArithFlags.CF : 0, ArithFlags.CF);
    }

    static void shift(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int size = e.sizeOfOperand(dst);
        int bits = size * 8;
        long m = ArithFlags.mask(size);
        long a = e.read(dst, Engine.RMW) & m;
        int count = (int) (e.read(Forms.operand(d.form, 1), Engine.READ) & (size == 8 ? 63 : 31));
        if (count == 0) {
            e.write(dst, a); // flags unaffected; the destination still sees its write cycle
            return;
        }
        long sign = ArithFlags.signBit(size);
        long r;
        boolean cf;
        boolean of;
        int f = 0;
        int written = ArithFlags.CF | ArithFlags.OF;
        boolean carryIn = e.flag(ArithFlags.CF);
        switch (d.op) {
            case Families.SHIFT_ROL: {
                int c = count & (bits - 1);
                r = c == 0 ? a : ((a << c) | (a >>> (bits - c))) & m;
                cf = (r & 1) != 0;
                of = ((r & sign) != 0) != cf;
                break;
            }
            case Families.SHIFT_ROR: {
                int c = count & (bits - 1);
                r = c == 0 ? a : ((a >>> c) | (a << (bits - c))) & m;
                cf = (r & sign) != 0;
                of = ((r & sign) != 0) != ((r & (sign >>> 1)) != 0);
                break;
            }
            case Families.SHIFT_RCL: {
                int c = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                r = a;
                cf = carryIn;
                for (int i = 0; i < c; i++) {
                    boolean out = (r & sign) != 0;
                    r = ((r << 1) | (cf ? 1 : 0)) & m;
                    cf = out;
                }
                of = ((r & sign) != 0) != cf;
                break;
            }
            case Families.SHIFT_RCR: {
                int c = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                r = a;
                cf = carryIn;
                of = ((a & sign) != 0) != carryIn;
                for (int i = 0; i < c; i++) {
                    boolean out = (r & 1) != 0;
                    r = (r >>> 1) | (cf ? sign : 0);
                    cf = out;
                }
                break;
            }
            case Families.SHIFT_SHL: case Families.SHIFT_SAL: {
                cf = count <= bits && ((a >>> (bits - count)) & 1) != 0;
                r = count >= 64 ? 0 : (a << count) & m;
                of = ((r & sign) != 0) != cf;
                f = ArithFlags.szp(r, size);
                written = Forms.flagsWritten(d.form);
                break;
            }
            case Families.SHIFT_SHR: {
                cf = ((a >>> (count - 1)) & 1) != 0;
                r = a >>> count;
                of = (a & sign) != 0;
                f = ArithFlags.szp(r, size);
                written = Forms.flagsWritten(d.form);
                break;
            }
            default: { // SAR
                long s = ArithFlags.signExtend(a, size);
                cf = ((s >> Math.min(count - 1, 63)) & 1) != 0;
                r = (s >> Math.min(count, 63)) & m;
                of = false;
                f = ArithFlags.szp(r, size);
                written = Forms.flagsWritten(d.form);
                break;
            }
        }
        if (cf) {
            f |= ArithFlags.CF;
        }
        if (of) {
            f |= ArithFlags.OF;
        }
        e.write(dst, r);
        e.setFlags(f, written);
    }
}
