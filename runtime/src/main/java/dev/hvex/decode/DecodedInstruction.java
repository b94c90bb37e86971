package dev.hvex.decode;

import dev.hvex.CpuMode;
import dev.hvex.gen.Forms;
import dev.hvex.gen.OperandCodes;

/**
 * One decoded instruction. The decoder fills a caller-owned instance and the caller reuses it, so
 * decoding allocates nothing. Fields are public and plain for the interpreter's and specializer's sake;
 * treat them as read-only outside the decoder.
 *
 * <p>Register numbers are hardware numbers with the REX/VEX extension bits applied (0 = rAX ... 15 = r15).
 */
public final class DecodedInstruction {
    /** Address base meaning "RIP-relative" ({@link #base}). */
    public static final int RIP = 16;
    /** Segment numbers (as in {@link dev.hvex.Register#segment(int)}). */
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    public CpuMode mode;
    public int length;
    /** Form id ({@link Forms}); its family, operation and attributes are cached below. */
    public int form;
    public int family;
    public int op;
    public int attrs;

    /** Segment override prefix (last one wins), or -1. */
    public int segmentOverride;
    public boolean lock;
    public boolean operandSizePrefix;
    public boolean addressSizePrefix;
    /** The last of F2/F3, or 0. */
    public int repPrefix;
    /** The REX byte when it directly precedes the opcode, else 0. */
    public int rex;
    /** 0 legacy, 2 two-byte VEX, 3 three-byte VEX, 4 EVEX. */
    public int vexKind;
    public int vexL;
    public boolean vexW;
    /** VEX.vvvv as a register number. */
    public int vexV;

    /** Opcode map ({@code DecodeTables.MAP_*}) and opcode byte. */
    public int map;
    public int opcode;

    /** The ModRM byte, or -1 when the instruction has none. */
    public int modrm;
    public int mod;
    /** ModRM.reg with REX.R. */
    public int reg;
    /** ModRM.rm with REX.B (a register when mod == 3). */
    public int rm;
    /** Memory operand: base register, {@link #RIP}, or -1; index register or -1; scale as a shift 0-3. */
    public int base;
    public int index;
    public int scale;
    public long disp;
    public int dispSize;

    /** Immediates, sign-extended from their width (moffs, ports, ENTER's operands: zero-extended). */
    public long imm;
    public long imm2;
    public int immSize;

    /** Operand size of a {@code v} operand in bytes (2, 4, 8) and address size in bytes (2, 4, 8). */
    public int operandSize;
    public int addressSize;

    /** Copies every field of {@code o}: the handler cache keeps a snapshot per cached instruction. */
    public void copyFrom(DecodedInstruction o) {
        mode = o.mode;
        length = o.length;
        form = o.form;
        family = o.family;
        op = o.op;
        attrs = o.attrs;
        segmentOverride = o.segmentOverride;
        lock = o.lock;
        operandSizePrefix = o.operandSizePrefix;
        addressSizePrefix = o.addressSizePrefix;
        repPrefix = o.repPrefix;
        rex = o.rex;
        vexKind = o.vexKind;
        vexL = o.vexL;
        vexW = o.vexW;
        vexV = o.vexV;
        map = o.map;
        opcode = o.opcode;
        modrm = o.modrm;
        mod = o.mod;
        reg = o.reg;
        rm = o.rm;
        base = o.base;
        index = o.index;
        scale = o.scale;
        disp = o.disp;
        dispSize = o.dispSize;
        imm = o.imm;
        imm2 = o.imm2;
        immSize = o.immSize;
        operandSize = o.operandSize;
        addressSize = o.addressSize;
    }

    /**
     * Size in bytes of operand {@code code} ({@link dev.hvex.gen.OperandCodes}) for this instruction: its
     * size letter resolved against the operand size and VEX.L, or a fixed register's width; 0 when the
     * operand has no size of its own ({@code M} of CLFLUSH).
     */
    public int operandBytes(int code) {
        switch (OperandCodes.size(code)) {
            case OperandCodes.S_B: case OperandCodes.S_BS: return 1;
            case OperandCodes.S_W: return 2;
            case OperandCodes.S_D: case OperandCodes.S_SS: return 4;
            case OperandCodes.S_Q: case OperandCodes.S_SD: return 8;
            case OperandCodes.S_V: return operandSize;
            case OperandCodes.S_Z: return operandSize == 2 ? 2 : 4;
            case OperandCodes.S_Y: return operandSize == 8 ? 8 : 4;
            case OperandCodes.S_DQ: case OperandCodes.S_PS: case OperandCodes.S_PD: return 16;
            case OperandCodes.S_X: return vexL == 0 ? 16 : 32;
            case OperandCodes.S_QQ: return 32;
            case OperandCodes.S_P: return operandSize == 2 ? 4 : 6;
            default:
                switch (OperandCodes.method(code)) {
                    case OperandCodes.M_AL: case OperandCodes.M_CL: return 1;
                    case OperandCodes.M_AX: case OperandCodes.M_DX: return 2;
                    case OperandCodes.M_EAX: return operandSize == 2 ? 2 : 4;
                    case OperandCodes.M_RAX: return operandSize;
                    default: return 0;
                }
        }
    }

    /** Whether the ModRM r/m names memory. */
    public boolean hasModrmMemory() {
        return modrm >= 0 && mod != 3;
    }

    public String formName() {
        return Forms.name(form);
    }

    public String mnemonic() {
        return Forms.mnemonic(form);
    }

    /** Intel-syntax text. Allocates: for tools and messages, not the exit path. */
    @Override
    public String toString() {
        return IntelFormatter.format(this);
    }
}
