package dev.hvex.conformance.generate;

import dev.hvex.CpuMode;
import dev.hvex.spec.Encoding;
import dev.hvex.spec.Entry;
import dev.hvex.spec.Operand;
import dev.hvex.spec.Operand.Method;
import dev.hvex.spec.Operand.Size;
import java.util.List;

/**
 * What the case generator needs to know about one spec {@link Entry}, read from its operands and encoding
 * alone: where its memory operand comes from (ModRM r/m, moffs, string rSI/rDI), which operand sizes it
 * takes, its immediates, and why it cannot be generated for a mode, if it cannot.
 */
final class FormShape {
    final Entry entry;
    final List<Operand> ops;
    final Encoding enc;
    /** Index in ops of the ModRM r/m operand (E M W Q R U N), or -1. */
    final int rmIndex;
    /** The r/m operand may be memory / may be a register. */
    final boolean rmMem;
    final boolean rmReg;
    /** Index of the ModRM reg operand (G V), or -1. */
    final int regIndex;
    /** Index of the opcode-register operand (Z), or -1. */
    final int zIndex;
    /** Index of the moffs operand (O), or -1. */
    final int moffsIndex;
    /** Index of the DS:rSI (X) and ES:rDI (Y) string operands, or -1. */
    final int xIndex;
    final int yIndex;
    /** Index of the VEX.vvvv operand (H B), or -1. */
    final int vvvvIndex;
    final boolean vex;
    /** Whether any operand's size follows the operand size (v z y, rAX eAX). */
    final boolean sizeVaries;
    /** Only 32/64 (a y operand and nothing that goes down to 16). */
    final boolean sizeY;
    /** Bytes of immediates as a function of the operand size: see {@link #immediateBytes}. */
    final List<Operand> immediates;

    FormShape(Entry e) {
        this.entry = e;
        this.ops = e.ops();
        this.enc = e.enc();
        int rm = -1;
        int reg = -1;
        int z = -1;
        int moffs = -1;
        int x = -1;
        int y = -1;
        int vvvv = -1;
        boolean varies = false;
        boolean onlyY = true;
        boolean anySized = false;
        List<Operand> imms = new java.util.ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Operand o = ops.get(i);
            switch (o.method()) {
                case E: case M: case W: case Q: case R: case U: case N:
                    rm = i;
                    break;
                case G: case V: case P: case S: case C: case D:
                    reg = i;
                    break;
                case Z:
                    z = i;
                    break;
                case O:
                    moffs = i;
                    break;
                case X:
                    x = i;
                    break;
                case Y:
                    y = i;
                    break;
                case H: case B:
                    vvvv = i;
                    break;
                default:
                    break;
            }
            if (o.method() == Method.I) {
                imms.add(o);
            }
            Size s = o.size();
            if (s == Size.V || s == Size.Z || s == Size.Y) {
                varies = true;
                anySized = true;
                if (s != Size.Y) {
                    onlyY = false;
                }
            }
        }
        this.rmIndex = rm;
        this.regIndex = reg;
        this.zIndex = z;
        this.moffsIndex = moffs;
        this.xIndex = x;
        this.yIndex = y;
        this.vvvvIndex = vvvv;
        this.vex = enc.map().isVex();
        this.sizeVaries = varies;
        this.sizeY = anySized && onlyY;
        this.immediates = List.copyOf(imms);
        if (rm >= 0) {
            Method m = ops.get(rm).method();
            boolean memOk = m == Method.E || m == Method.M || m == Method.W || m == Method.Q;
            boolean regOk = m == Method.E || m == Method.R || m == Method.U || m == Method.N || m == Method.W || m == Method.Q;
            if (enc.mod() == Encoding.MOD_MEM) {
                regOk = false;
            } else if (enc.mod() == Encoding.MOD_REG) {
                memOk = false;
            }
            this.rmMem = memOk;
            this.rmReg = regOk;
        } else {
            this.rmMem = false;
            this.rmReg = false;
        }
    }

    /** Whether the form can access memory through an operand (r/m memory, moffs or a string operand). */
    boolean hasMemory() {
        return rmMem || moffsIndex >= 0 || xIndex >= 0 || yIndex >= 0;
    }

    /** Whether the memory operand is the destination (the first operand in Intel order). */
    boolean memoryIsDestination() {
        int first = rmMem ? rmIndex : moffsIndex >= 0 ? moffsIndex : yIndex;
        return first == 0;
    }

    boolean lockable() {
        return entry.lock() && hasMemory() && memoryIsDestination();
    }

    /** Whether the entry is valid in {@code mode} (its {@code modes} key). */
    boolean validIn(CpuMode mode) {
        switch (entry.modes()) {
            case NOT64: return mode != CpuMode.LONG64;
            case ONLY64: return mode == CpuMode.LONG64;
            default: return true;
        }
    }

    /**
     * Why the processor oracle cannot produce this form's cases, or null when it can. Port I/O needs a
     * device; MMX, control, debug and segment registers and far pointers are state the oracle does not
     * load or cannot load at CPL 3; a 256-bit load's upper YMM half is not observed by it.
     */
    String oracleLimit() {
        for (Operand o : ops) {
            switch (o.method()) {
                case DX:
                    return "port I/O (needs a device)";
                case P: case N: case Q:
                    return "MMX registers (not loaded by the oracle)";
                case S: case C: case D: case A: case J: case ST: case STI:
                    return "operand " + o.token() + " (segment/control/debug register, far pointer, branch or x87)";
                default:
                    break;
            }
        }
        if ("io".equals(entry.family())) {
            return "port I/O (needs a device)";
        }
        if (vex && !ops.isEmpty() && ops.get(0).method() == Method.V
                && (ops.get(0).size() == Size.QQ || (ops.get(0).size() == Size.X && enc.vexL() == 1))) {
            return "256-bit load: the oracle does not observe the upper YMM halves";
        }
        return null;
    }

    /** Whether the form is port I/O (IN, OUT, INS, OUTS): its exit is an {@code io} exit. */
    boolean portIo() {
        if ("io".equals(entry.family())) {
            return true;
        }
        for (Operand o : ops) {
            if (o.method() == Method.DX) {
                return true;
            }
        }
        return false;
    }

    /** The port-I/O element size in bytes: 1 for the byte forms, else 2 or 4 by the operand size. */
    int portSize(int osz) {
        for (Operand o : ops) {
            if (o.size() == Size.B && o.method() != Method.I) {
                return 1;
            }
        }
        return osz == 2 ? 2 : 4;
    }

    /**
     * Why the KVM oracle cannot produce this form's cases, or null when it can. It runs port I/O, but not
     * VEX (KVM's emulator has no VEX moves), MOVBE (this host's KVM raises #UD: the guest's CPUID cannot
     * offer it), MMX registers, or the system-register, far-pointer, branch and x87 operands the generator
     * does not set up.
     */
    String kvmLimit() {
        for (Operand o : ops) {
            switch (o.method()) {
                case P: case N: case Q:
                    return "MMX registers (not generated)";
                case S: case C: case D: case A: case J: case ST: case STI:
                    return "operand " + o.token() + " (segment/control/debug register, far pointer, branch or x87)";
                default:
                    break;
            }
        }
        if (vex) {
            return "VEX (KVM's instruction emulator cannot emulate VEX moves)";
        }
        if ("movbe".equals(entry.family())) {
            return "MOVBE (this host's KVM raises #UD: the guest CPUID cannot offer MOVBE)";
        }
        return null;
    }

    /** Operand size in bytes for {@code osz} (the effective operand size in bytes, 2/4/8). */
    int bytesOf(Operand o, int osz) {
        switch (o.size()) {
            case B: return 1;
            case W: return 2;
            case D: case SS: return 4;
            case Q: case SD: return 8;
            case V: return osz;
            case Z: return osz == 2 ? 2 : 4;
            case Y: return osz == 8 ? 8 : 4;
            case DQ: case PS: case PD: return 16;
            case QQ: return 32;
            case X: return enc.vexL() == 1 ? 32 : 16;
            case BS: return 1;
            case NONE: return 1;
            default: return osz;
        }
    }

    /** Bytes of one immediate operand. */
    int immediateBytes(Operand o, int osz) {
        switch (o.size()) {
            case B: case BS: return 1;
            case W: return 2;
            case Z: return osz == 2 ? 2 : 4;
            case V: return osz;
            case D: return 4;
            default: return 1;
        }
    }
}
