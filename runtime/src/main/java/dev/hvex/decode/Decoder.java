package dev.hvex.decode;

import static dev.hvex.gen.DecodeTables.CAND_FORM;
import static dev.hvex.gen.DecodeTables.CAND_MASK;
import static dev.hvex.gen.DecodeTables.CAND_VALUE;
import static dev.hvex.gen.DecodeTables.KEY_L_SHIFT;
import static dev.hvex.gen.DecodeTables.KEY_MODE64_SHIFT;
import static dev.hvex.gen.DecodeTables.KEY_MODREG_SHIFT;
import static dev.hvex.gen.DecodeTables.KEY_REG_SHIFT;
import static dev.hvex.gen.DecodeTables.KEY_RM_SHIFT;
import static dev.hvex.gen.DecodeTables.KEY_W_SHIFT;
import static dev.hvex.gen.DecodeTables.ROWS;

import dev.hvex.CpuMode;
import dev.hvex.gen.DecodeTables;
import dev.hvex.gen.Forms;

/**
 * The table-driven x86 decoder: prefixes, opcode maps (legacy, VEX, EVEX), ModRM/SIB/displacement and
 * immediates, for every mode. Which form an opcode is, whether a ModRM follows and how long the
 * immediate is all come from the generated tables ({@link DecodeTables}, {@link Forms}); this class
 * only knows the byte-level grammar of SDM Vol. 2 chapter 2.
 *
 * <p>Where it departs from a literal reading of the manual: segment overrides ES/CS/SS/DS are decoded
 * in 64-bit mode too (the address generator ignores them there); a REX byte followed by another prefix
 * is dropped, as the processor does; F2/F3 select the mandatory-prefix column before 66 does.
 */
public final class Decoder {
    private static final int MAX_LENGTH = 15;

    private static final byte NOT_PREFIX = 0;
    private static final byte SEGMENT = 1;
    private static final byte OPERAND_SIZE = 2;
    private static final byte ADDRESS_SIZE = 3;
    private static final byte LOCK = 4;
    private static final byte REPEAT = 5;
    private static final byte REX = 6;
    /** What each byte is as a prefix; REX (40-4F) only counts in 64-bit mode. */
    private static final byte[] PREFIX_KIND = new byte[256];
    private static final int[] SEGMENT_OF = new int[256];

    static {
        int[][] segments = {{0x26, DecodedInstruction.ES}, {0x2E, DecodedInstruction.CS}, {0x36, DecodedInstruction.SS},
            {0x3E, DecodedInstruction.DS}, {0x64, DecodedInstruction.FS}, {0x65, DecodedInstruction.GS}};
        for (int[] sg : segments) {
            PREFIX_KIND[sg[0]] = SEGMENT;
            SEGMENT_OF[sg[0]] = sg[1];
        }
        PREFIX_KIND[0x66] = OPERAND_SIZE;
        PREFIX_KIND[0x67] = ADDRESS_SIZE;
        PREFIX_KIND[0xF0] = LOCK;
        PREFIX_KIND[0xF2] = REPEAT;
        PREFIX_KIND[0xF3] = REPEAT;
        for (int r = 0x40; r <= 0x4F; r++) {
            PREFIX_KIND[r] = REX;
        }
    }

    private Decoder() {
    }

    /**
     * Decodes one instruction of {@code code[offset ...]} of which {@code available} bytes are valid.
     *
     * @return a {@link DecodeStatus}; on {@link DecodeStatus#OK} {@code out} describes the instruction
     */
    public static int decode(byte[] code, int offset, int available, CpuMode mode, DecodedInstruction out) {
        final int limit = offset + MAX_LENGTH;
        final int end = offset + Math.max(0, Math.min(available, code.length - offset));
        final int max = Math.min(limit, end);
        final boolean is64 = mode.is64();
        int p = offset;

        int seg = -1;
        boolean lock = false;
        boolean o66 = false;
        boolean a67 = false;
        int rep = 0;
        int rex = 0;
        int b;
        prefixes:
        for (;;) {
            if (p >= max) {
                return shortOf(p + 1, limit);
            }
            b = code[p] & 0xff;
            int kind = PREFIX_KIND[b];
            if (kind == NOT_PREFIX) {
                break; // the common case: one table load, no switch
            }
            switch (kind) {
                case SEGMENT: seg = SEGMENT_OF[b]; break;
                case OPERAND_SIZE: o66 = true; break;
                case ADDRESS_SIZE: a67 = true; break;
                case LOCK: lock = true; break;
                case REPEAT: rep = b; break;
                default: // REX: a prefix only in 64-bit mode, and only right before the opcode
                    if (!is64) {
                        break prefixes;
                    }
                    rex = b;
                    p++;
                    continue prefixes;
            }
            rex = 0; // REX counts only right before the opcode
            p++;
        }

        // Opcode and map. b is the first opcode byte, at p.
        p++;
        int map = DecodeTables.MAP_ONE_BYTE;
        int opcode = b;
        int vexKind = 0;
        int vexL = 0;
        boolean w = (rex & 8) != 0;
        int vexV = 0;
        int mp = rep == 0xF3 ? 2 : rep == 0xF2 ? 3 : o66 ? 1 : 0;
        int rexR = (rex >> 2) & 1;
        int rexX = (rex >> 1) & 1;
        int rexB = rex & 1;
        boolean threeDNow = false;
        if (b == 0x0F) {
            if (p >= max) {
                return shortOf(p + 1, limit);
            }
            int b2 = code[p++] & 0xff;
            if (b2 == 0x38 || b2 == 0x3A) {
                if (p >= max) {
                    return shortOf(p + 1, limit);
                }
                map = b2 == 0x38 ? DecodeTables.MAP_0F38 : DecodeTables.MAP_0F3A;
                opcode = code[p++] & 0xff;
            } else if (b2 == 0x0F) {
                map = DecodeTables.MAP_0F0F;
                threeDNow = true;
                opcode = -1;
            } else {
                map = DecodeTables.MAP_0F;
                opcode = b2;
            }
        } else if (b == 0xC4 || b == 0xC5 || b == 0x62) {
            // Outside 64-bit mode these are LES/LDS/BOUND unless the next byte has mod == 11.
            boolean escape = is64;
            if (!is64) {
                if (p >= max) {
                    return shortOf(p + 1, limit);
                }
                escape = (code[p] & 0xC0) == 0xC0;
            }
            if (escape) {
                if (o66 || rep != 0 || lock || rex != 0) {
                    return DecodeStatus.UNDEFINED; // SDM Vol. 2 2.3.2: VEX after 66/F2/F3/LOCK/REX is #UD
                }
                int p1;
                int p2;
                if (b == 0xC5) {
                    if (p + 2 > max) {
                        return shortOf(p + 2, limit);
                    }
                    p1 = code[p] & 0xff;
                    opcode = code[p + 1] & 0xff;
                    p += 2;
                    vexKind = 2;
                    rexR = (~p1 >> 7) & 1;
                    rexX = 0;
                    rexB = 0;
                    w = false;
                    vexV = (~p1 >> 3) & 15;
                    vexL = (p1 >> 2) & 1;
                    mp = p1 & 3;
                    map = DecodeTables.MAP_VEX_0F;
                } else if (b == 0xC4) {
                    if (p + 3 > max) {
                        return shortOf(p + 3, limit);
                    }
                    p1 = code[p] & 0xff;
                    p2 = code[p + 1] & 0xff;
                    opcode = code[p + 2] & 0xff;
                    p += 3;
                    vexKind = 3;
                    rexR = (~p1 >> 7) & 1;
                    rexX = (~p1 >> 6) & 1;
                    rexB = (~p1 >> 5) & 1;
                    w = (p2 & 0x80) != 0;
                    vexV = (~p2 >> 3) & 15;
                    vexL = (p2 >> 2) & 1;
                    mp = p2 & 3;
                    switch (p1 & 0x1F) {
                        case 1: map = DecodeTables.MAP_VEX_0F; break;
                        case 2: map = DecodeTables.MAP_VEX_0F38; break;
                        case 3: map = DecodeTables.MAP_VEX_0F3A; break;
                        default: return DecodeStatus.UNDEFINED;
                    }
                } else {
                    if (p + 4 > max) {
                        return shortOf(p + 4, limit);
                    }
                    p1 = code[p] & 0xff;
                    p2 = code[p + 1] & 0xff;
                    int p3 = code[p + 2] & 0xff;
                    opcode = code[p + 3] & 0xff;
                    p += 4;
                    vexKind = 4;
                    rexR = (~p1 >> 7) & 1;
                    rexX = (~p1 >> 6) & 1;
                    rexB = (~p1 >> 5) & 1;
                    w = (p2 & 0x80) != 0;
                    vexV = (~p2 >> 3) & 15;
                    vexL = (p3 >> 5) & 3;
                    mp = p2 & 3;
                    if ((p2 & 0x04) == 0) {
                        return DecodeStatus.UNDEFINED; // EVEX P1 bit 2 is fixed at 1
                    }
                    switch (p1 & 0x07) {
                        case 1: map = DecodeTables.MAP_EVEX_0F; break;
                        case 2: map = DecodeTables.MAP_EVEX_0F38; break;
                        case 3: map = DecodeTables.MAP_EVEX_0F3A; break;
                        case 5: map = DecodeTables.MAP_EVEX_MAP5; break;
                        case 6: map = DecodeTables.MAP_EVEX_MAP6; break;
                        default: return DecodeStatus.UNDEFINED;
                    }
                }
                if (!is64) {
                    rexR = 0;
                    rexX = 0;
                    rexB = 0;
                    vexV &= 7;
                }
            }
        }

        int row = threeDNow ? ROWS[map * 256] | 3 : ROWS[map * 256 + opcode];
        if (!threeDNow && row == 0) {
            return DecodeStatus.UNDEFINED;
        }

        int osz;
        int asz;
        if (is64) {
            asz = a67 ? 4 : 8;
        } else {
            asz = (mode.defaultSize() == 4) != a67 ? 4 : 2;
        }

        int modrm = -1;
        int mod = 0;
        int regField = 0;
        int rmField = 0;
        int base = -1;
        int index = -1;
        int scale = 0;
        long disp = 0;
        int dispSize = 0;
        if ((row & 2) != 0) {
            if (p >= max) {
                return shortOf(p + 1, limit);
            }
            modrm = code[p++] & 0xff;
            mod = (row & 4) != 0 ? 3 : modrm >> 6;
            regField = (modrm >> 3) & 7;
            rmField = modrm & 7;
            if (mod != 3) {
                if (asz == 2) {
                    switch (rmField) {
                        case 0: base = 3; index = 6; break;  // BX+SI
                        case 1: base = 3; index = 7; break;  // BX+DI
                        case 2: base = 5; index = 6; break;  // BP+SI
                        case 3: base = 5; index = 7; break;  // BP+DI
                        case 4: base = 6; break;             // SI
                        case 5: base = 7; break;             // DI
                        case 6: base = mod == 0 ? -1 : 5; break; // BP, or disp16 alone
                        default: base = 3; break;            // BX
                    }
                    dispSize = mod == 1 ? 1 : mod == 2 || (mod == 0 && rmField == 6) ? 2 : 0;
                } else {
                    if (rmField == 4) {
                        if (p >= max) {
                            return shortOf(p + 1, limit);
                        }
                        int sib = code[p++] & 0xff;
                        scale = sib >> 6;
                        int idx = ((sib >> 3) & 7) | (rexX << 3);
                        index = idx == 4 ? -1 : idx;
                        int bs = sib & 7;
                        if (bs == 5 && mod == 0) {
                            base = -1;
                            dispSize = 4;
                        } else {
                            base = bs | (rexB << 3);
                        }
                    } else if (rmField == 5 && mod == 0) {
                        base = is64 ? DecodedInstruction.RIP : -1;
                        dispSize = 4;
                    } else {
                        base = rmField | (rexB << 3);
                    }
                    if (mod == 1) {
                        dispSize = 1;
                    } else if (mod == 2) {
                        dispSize = 4;
                    }
                }
                if (dispSize != 0) {
                    if (p + dispSize > max) {
                        return shortOf(p + dispSize, limit);
                    }
                    disp = readSigned(code, p, dispSize);
                    p += dispSize;
                }
            }
        }
        if (threeDNow) {
            if (p >= max) {
                return shortOf(p + 1, limit);
            }
            opcode = code[p++] & 0xff;
            row = ROWS[map * 256 + opcode];
            if (row == 0) {
                return DecodeStatus.UNDEFINED;
            }
        }

        int first = row >>> 11;
        int count = (row >> 3) & 255;
        int form = -1;
        int key = 0;
        if (count == 1 && CAND_MASK[first] == 0) {
            form = CAND_FORM[first]; // one unconditional candidate (MOV 89, say): no key to build
        } else {
            key = mp | regField << KEY_REG_SHIFT | (mod == 3 ? 1 << KEY_MODREG_SHIFT : 0) | rmField << KEY_RM_SHIFT
                | (w ? 1 << KEY_W_SHIFT : 0) | vexL << KEY_L_SHIFT | (is64 ? 1 << KEY_MODE64_SHIFT : 0);
            for (int i = first; i < first + count; i++) {
                if ((key & CAND_MASK[i]) == CAND_VALUE[i]) {
                    form = CAND_FORM[i];
                    break;
                }
            }
        }
        if (form < 0) {
            int other = key ^ (1 << KEY_MODE64_SHIFT);
            for (int i = first; i < first + count; i++) {
                if ((other & CAND_MASK[i]) == CAND_VALUE[i]) {
                    return DecodeStatus.INVALID_IN_MODE;
                }
            }
            return DecodeStatus.UNDEFINED;
        }
        int attrs = Forms.attrTable[form];

        int oszRule = (attrs >> Forms.ATTR_OSZ_SHIFT) & 3;
        if (is64) {
            if (vexKind != 0) {
                osz = w ? 8 : 4;
            } else if (w || oszRule == Forms.OSZ_F64) {
                osz = 8;
            } else if (o66) {
                osz = 2;
            } else {
                osz = oszRule == Forms.OSZ_D64 ? 8 : 4;
            }
        } else {
            osz = (mode.defaultSize() == 4) != o66 ? 4 : 2;
        }

        long imm = 0;
        long imm2 = 0;
        int immSize = 0;
        switch (threeDNow ? Forms.IMM_NONE : attrs & Forms.ATTR_IMM_MASK) {
            case Forms.IMM_NONE: break;
            case Forms.IMM_B: immSize = 1; break;
            case Forms.IMM_W: immSize = 2; break;
            case Forms.IMM_Z: immSize = osz == 2 ? 2 : 4; break;
            case Forms.IMM_V: immSize = osz; break;
            case Forms.IMM_MOFFS: immSize = asz; break;
            case Forms.IMM_WB: immSize = 3; break;
            case Forms.IMM_BB: immSize = 2; break;
            case Forms.IMM_FAR: immSize = osz == 2 ? 4 : 6; break;
            default: throw new IllegalStateException("immediate kind of " + Forms.name(form));
        }
        if (immSize != 0) {
            if (p + immSize > max) {
                return shortOf(p + immSize, limit);
            }
            switch (attrs & Forms.ATTR_IMM_MASK) {
                case Forms.IMM_MOFFS:
                    imm = readUnsigned(code, p, immSize);
                    break;
                case Forms.IMM_WB:
                    imm = readUnsigned(code, p, 2);
                    imm2 = code[p + 2] & 0xff;
                    break;
                case Forms.IMM_BB:
                    imm = code[p] & 0xff;
                    imm2 = code[p + 1] & 0xff;
                    break;
                case Forms.IMM_FAR:
                    imm = readUnsigned(code, p, immSize - 2);
                    imm2 = readUnsigned(code, p + immSize - 2, 2);
                    break;
                default:
                    imm = readSigned(code, p, immSize);
                    break;
            }
            p += immSize;
        }

        if (lock && ((attrs & Forms.ATTR_LOCK) == 0 || modrm < 0 || mod == 3)) {
            return DecodeStatus.LOCK_NOT_ALLOWED;
        }

        out.mode = mode;
        out.length = p - offset;
        out.form = form;
        out.family = Forms.familyTable[form];
        out.op = Forms.opTable[form];
        out.attrs = attrs;
        out.segmentOverride = seg;
        out.lock = lock;
        out.operandSizePrefix = o66;
        out.addressSizePrefix = a67;
        out.repPrefix = rep;
        out.rex = rex;
        out.vexKind = vexKind;
        out.vexL = vexL;
        out.vexW = w;
        out.vexV = vexV;
        out.map = map;
        out.opcode = opcode;
        out.modrm = modrm;
        out.mod = mod;
        out.reg = regField | (rexR << 3);
        out.rm = rmField | (rexB << 3);
        out.base = base;
        out.index = index;
        out.scale = scale;
        out.disp = disp;
        out.dispSize = dispSize;
        out.imm = imm;
        out.imm2 = imm2;
        out.immSize = immSize;
        out.operandSize = osz;
        out.addressSize = asz;
        return DecodeStatus.OK;
    }

    /** The status for an instruction that needs bytes up to {@code needEnd}: too long, or not all fetched. */
    private static int shortOf(int needEnd, int limit) {
        return needEnd > limit ? DecodeStatus.TOO_LONG : DecodeStatus.NEED_MORE_BYTES;
    }

    private static long readSigned(byte[] code, int p, int size) {
        switch (size) {
            case 1: return code[p];
            case 2: return (short) ((code[p] & 0xff) | (code[p + 1] & 0xff) << 8);
            case 4: return (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16 | code[p + 3] << 24;
            default: return readUnsigned(code, p, size);
        }
    }

    private static long readUnsigned(byte[] code, int p, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (code[p + i] & 0xff);
        }
        return v;
    }
}
