package dev.hvex.semantics;

import static dev.hvex.gen.OperandCodes.M_V;
import static dev.hvex.gen.OperandCodes.M_E;
import static dev.hvex.gen.OperandCodes.method;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;

/**
 * SSE and VEX data moves, and CLFLUSH/CLFLUSHOPT. Vectors travel as little-endian longs; a device
 * sees at most 8 bytes per access, lowest address first. Legacy SSE leaves YMM bits 255:128 alone;
 * a VEX.128 write to a register zeroes them (SDM Vol. 1 14.1.3).
 */
final class Vector {
    private Vector() {
    }

    static void sse(Engine e, DecodedInstruction d) {
        int dst = Forms.operand(d.form, 0);
        int src = Forms.operand(d.form, 1);
        boolean load = method(dst) == M_V;
        int xmm = load ? d.reg : d.reg;
        int other = load ? src : dst;
        boolean memory = e.isMemory(other);
        int seg = memory ? e.modrmSegment() : 0;
        long ea = memory ? e.effectiveAddress() : 0;
        switch (d.op) {
            case Families.SSE_FULL: {
                if (load) {
                    if (memory) {
                        long[] v = e.vectorScratch;
                        e.readVector(seg, ea, 16, v);
                        e.setXmm(xmm, v[0], v[1]);
                    } else {
                        e.setXmm(xmm, e.xmmLo(d.rm), e.xmmHi(d.rm));
                    }
                } else if (memory) {
                    long[] v = e.vectorScratch;
                    v[0] = e.xmmLo(xmm);
                    v[1] = e.xmmHi(xmm);
                    e.writeVector(seg, ea, 16, v);
                } else {
                    e.setXmm(d.rm, e.xmmLo(xmm), e.xmmHi(xmm));
                }
                break;
            }
            case Families.SSE_SCALAR: {
                int size = e.sizeOfOperand(src);
                long m = ArithFlags.mask(size);
                if (load) {
                    if (memory) {
                        e.setXmm(xmm, e.readMemory(seg, ea, size, Engine.READ), 0);
                    } else {
                        e.setXmm(xmm, (e.xmmLo(xmm) & ~m) | (e.xmmLo(d.rm) & m), e.xmmHi(xmm));
                    }
                } else if (memory) {
                    e.writeMemory(seg, ea, size, e.xmmLo(xmm) & m);
                } else {
                    e.setXmm(d.rm, (e.xmmLo(d.rm) & ~m) | (e.xmmLo(xmm) & m), e.xmmHi(d.rm));
                }
                break;
            }
            case Families.SSE_LOW:
                if (load) {
                    e.setXmm(xmm, e.readMemory(seg, ea, 8, Engine.READ), e.xmmHi(xmm));
                } else {
                    e.writeMemory(seg, ea, 8, e.xmmLo(xmm));
                }
                break;
            case Families.SSE_HIGH:
                if (load) {
                    e.setXmm(xmm, e.xmmLo(xmm), e.readMemory(seg, ea, 8, Engine.READ));
                } else {
                    e.writeMemory(seg, ea, 8, e.xmmHi(xmm));
                }
                break;
            case Families.SSE_GPR: {
                int gprOperand = method(dst) == M_E ? dst : src;
                if (load) {
                    e.setXmm(xmm, e.read(gprOperand, Engine.READ), 0);
                } else {
                    e.write(gprOperand, e.xmmLo(xmm) & ArithFlags.mask(e.sizeOfOperand(gprOperand)));
                }
                break;
            }
            case Families.SSE_ZEXT:
                e.setXmm(xmm, memory ? e.readMemory(seg, ea, 8, Engine.READ) : e.xmmLo(d.rm), 0);
                break;
            default: // STORE_LOW: MOVQ xmm/m64, xmm
                if (memory) {
                    e.writeMemory(seg, ea, 8, e.xmmLo(xmm));
                } else {
                    e.setXmm(d.rm, e.xmmLo(xmm), 0);
                }
                break;
        }
    }

    static void avxRegisters(Engine e, DecodedInstruction d) {
        if (d.vexL == 1 && method(Forms.operand(d.form, 0)) != M_V) {
            e.wantYmmHigh(d.reg); // a 256-bit store needs the upper half of its source
        }
        if (d.vexL == 1 && d.mod == 3) {
            e.wantYmmHigh(d.rm);
        }
    }

    static void avx(Engine e, DecodedInstruction d) {
        if (d.vexV != 0) {
            e.fault(6, false, 0); // VEX.vvvv must be 1111b for these moves
        }
        int dst = Forms.operand(d.form, 0);
        boolean load = method(dst) == M_V;
        int size = d.vexL == 0 ? 16 : 32;
        boolean memory = d.mod != 3;
        long[] v = e.vectorScratch;
        if (load) {
            if (memory) {
                e.readVector(e.modrmSegment(), e.effectiveAddress(), size, v);
            } else {
                v[0] = e.xmmLo(d.rm);
                v[1] = e.xmmHi(d.rm);
                v[2] = size == 32 ? e.ymmLo(d.rm) : 0;
                v[3] = size == 32 ? e.ymmHi(d.rm) : 0;
            }
            e.setXmm(d.reg, v[0], v[1]);
            e.setYmmHigh(d.reg, size == 32 ? v[2] : 0, size == 32 ? v[3] : 0);
        } else {
            v[0] = e.xmmLo(d.reg);
            v[1] = e.xmmHi(d.reg);
            if (size == 32) {
                v[2] = e.ymmLo(d.reg);
                v[3] = e.ymmHi(d.reg);
            }
            if (memory) {
                e.writeVector(e.modrmSegment(), e.effectiveAddress(), size, v);
            } else {
                e.setXmm(d.rm, v[0], v[1]);
                e.setYmmHigh(d.rm, size == 32 ? v[2] : 0, size == 32 ? v[3] : 0);
            }
        }
    }

    /** CLFLUSH/CLFLUSHOPT: the address is checked like a 1-byte read and translated; no device access. */
    static void clflush(Engine e, DecodedInstruction d) {
        long linear = e.linearAddress(e.modrmSegment(), e.effectiveAddress(), 1, Engine.READ);
        e.translateIfPaging(linear, 1, Engine.READ);
    }
}
