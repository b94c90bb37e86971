package dev.hvex.decode;

import static dev.hvex.gen.OperandCodes.*;

import dev.hvex.gen.Forms;
import java.util.Locale;

/** Intel-syntax text of a decoded instruction ({@code mov dword ptr [rdi+0x8], eax}), for tools and logs. */
final class IntelFormatter {
    private static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] R32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] R16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] R8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
    private static final String[] R8_LEGACY = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
    private static final String[] SEG = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};

    private IntelFormatter() {
    }

    static String format(DecodedInstruction d) {
        StringBuilder sb = new StringBuilder();
        if (d.lock) {
            sb.append("lock ");
        }
        if (d.repPrefix != 0 && (d.attrs & (Forms.ATTR_REP | Forms.ATTR_REPE)) != 0) {
            sb.append((d.attrs & Forms.ATTR_REPE) != 0 ? (d.repPrefix == 0xF3 ? "repe " : "repne ") : "rep ");
        }
        String mnem = Forms.mnemonic(d.form).toLowerCase(Locale.ROOT);
        sb.append(mnem);
        if ((d.attrs & Forms.ATTR_RECOGNIZED_ONLY) != 0 && Forms.opcode(d.form) < 0) {
            sb.append(' ').append(Forms.map(d.form)).append(String.format(" %02x", d.opcode));
            return sb.toString();
        }
        for (int i = 0; i < Forms.MAX_OPERANDS; i++) {
            int code = Forms.operand(d.form, i);
            if (code == 0) {
                break;
            }
            sb.append(i == 0 ? " " : ", ");
            operand(sb, d, code);
        }
        return sb.toString();
    }


    private static void operand(StringBuilder sb, DecodedInstruction d, int code) {
        int size = d.operandBytes(code);
        switch (method(code)) {
            case M_E: case M_M: case M_W: case M_Q:
                if (d.mod == 3) {
                    register(sb, d, method(code) == M_W ? M_V : method(code) == M_Q ? M_P : M_G, d.rm, size);
                } else {
                    memory(sb, d, size);
                }
                break;
            case M_R: case M_U: case M_N:
                register(sb, d, method(code) == M_U ? M_V : method(code) == M_N ? M_P : M_G, d.rm, size);
                break;
            case M_G: case M_V: case M_P: case M_S: case M_C: case M_D:
                register(sb, d, method(code), d.reg, size);
                break;
            case M_H: register(sb, d, M_V, d.vexV, size); break;
            case M_B: register(sb, d, M_G, d.vexV, size); break;
            case M_Z: register(sb, d, M_G, (d.opcode & 7) | (d.rm & 8), size); break;
            case M_I:
                hex(sb, size(code) == S_BS || size == 1 && size(code) != S_B ? d.imm : d.imm & mask(d.immSize == 3 ? 2 : Math.min(size == 0 ? d.immSize : size, d.immSize)));
                break;
            case M_J: sb.append("rel "); hex(sb, d.imm); break;
            case M_A: hex(sb, d.imm2); sb.append(':'); hex(sb, d.imm); break;
            case M_O:
                sb.append(ptr(size)).append(' ').append(SEG[d.segmentOverride < 0 ? 3 : d.segmentOverride]).append(":[");
                hex(sb, d.imm);
                sb.append(']');
                break;
            case M_X: case M_Y:
                sb.append(ptr(size)).append(' ').append(method(code) == M_Y ? "es" : SEG[d.segmentOverride < 0 ? 3 : d.segmentOverride])
                    .append(":[").append(gpr(method(code) == M_X ? 6 : 7, d.addressSize, d)).append(']');
                break;
            case M_AL: sb.append("al"); break;
            case M_AX: sb.append("ax"); break;
            case M_EAX: sb.append(d.operandSize == 2 ? "ax" : "eax"); break;
            case M_RAX: sb.append(gpr(0, d.operandSize, d)); break;
            case M_DX: sb.append("dx"); break;
            case M_CL: sb.append("cl"); break;
            case M_ONE: sb.append('1'); break;
            case M_ST: sb.append("st"); break;
            case M_STI: sb.append("st(").append(d.rm & 7).append(')'); break;
            default: sb.append('?'); break;
        }
    }

    private static void register(StringBuilder sb, DecodedInstruction d, int kind, int n, int size) {
        switch (kind) {
            case M_V: sb.append(size == 32 ? "ymm" : "xmm").append(n); break;
            case M_P: sb.append("mm").append(n & 7); break;
            case M_S: sb.append(SEG[n & 7]); break;
            case M_C: sb.append("cr").append(n); break;
            case M_D: sb.append("dr").append(n); break;
            default: sb.append(gpr(n, size == 0 ? d.operandSize : size, d)); break;
        }
    }

    private static String gpr(int n, int size, DecodedInstruction d) {
        switch (size) {
            case 1: return d.rex != 0 || n > 7 ? R8[n] : R8_LEGACY[n];
            case 2: return R16[n];
            case 4: return R32[n];
            default: return R64[n];
        }
    }

    private static void memory(StringBuilder sb, DecodedInstruction d, int size) {
        String p = ptr(size);
        if (!p.isEmpty()) {
            sb.append(p).append(' ');
        }
        if (d.segmentOverride >= 0) {
            sb.append(SEG[d.segmentOverride]).append(':');
        }
        sb.append('[');
        boolean any = false;
        if (d.base == DecodedInstruction.RIP) {
            sb.append(d.addressSize == 4 ? "eip" : "rip");
            any = true;
        } else if (d.base >= 0) {
            sb.append(gpr(d.base, d.addressSize, d));
            any = true;
        }
        if (d.index >= 0) {
            if (any) {
                sb.append('+');
            }
            sb.append(gpr(d.index, d.addressSize, d));
            if (d.scale != 0) {
                sb.append('*').append(1 << d.scale);
            }
            any = true;
        }
        if (d.dispSize != 0 || !any) {
            long v = d.disp;
            if (any) {
                sb.append(v < 0 ? '-' : '+');
                hex(sb, Math.abs(v));
            } else {
                hex(sb, v & mask(d.addressSize));
            }
        }
        sb.append(']');
    }

    private static String ptr(int size) {
        switch (size) {
            case 1: return "byte ptr";
            case 2: return "word ptr";
            case 4: return "dword ptr";
            case 6: return "fword ptr";
            case 8: return "qword ptr";
            case 16: return "xmmword ptr";
            case 32: return "ymmword ptr";
            default: return "";
        }
    }

    private static long mask(int bytes) {
        return bytes >= 8 ? -1L : (1L << (8 * bytes)) - 1;
    }

    private static void hex(StringBuilder sb, long v) {
        sb.append("0x").append(Long.toHexString(v));
    }
}
