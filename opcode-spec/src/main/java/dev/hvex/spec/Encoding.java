package dev.hvex.spec;

import java.util.Locale;

/**
 * A parsed {@code enc} string: which bytes select an entry. See README.md for the grammar.
 *
 * @param prefix      mandatory prefix: {@link #ANY}, {@link #NP}, 0x66, 0xF3 or 0xF2
 * @param opcodeCount 1, 8 for {@code +r}, 16 for {@code +cc}
 * @param modrm       {@link #NO_MODRM}, {@link #MODRM_ANY}, a digit 0-7 for /digit, or {@link #MODRM_FIXED}
 * @param mod         {@link #MOD_ANY}, {@link #MOD_MEM} or {@link #MOD_REG}
 * @param fixedModrm  the whole ModRM byte for {@link #MODRM_FIXED}, else -1
 * @param vexL        required VEX/EVEX.L (0, 1, 2) or -1 for any
 * @param w           required REX.W/VEX.W/EVEX.W (0, 1) or -1 for any
 */
public record Encoding(OpMap map, int prefix, int opcode, int opcodeCount, int modrm, int mod, int fixedModrm,
                       int vexL, int w) {
    public static final int ANY = -1;
    public static final int NP = 0;
    public static final int NO_MODRM = -1;
    public static final int MODRM_ANY = -2;
    public static final int MODRM_FIXED = -3;
    public static final int MOD_ANY = 0;
    public static final int MOD_MEM = 1;
    public static final int MOD_REG = 2;

    public boolean hasModrm() {
        return modrm != NO_MODRM;
    }

    /** The mandatory prefix as the decoder's 2-bit code: 0 none, 1 = 66, 2 = F3, 3 = F2. */
    public static int prefixCode(int prefix) {
        switch (prefix) {
            case 0x66: return 1;
            case 0xF3: return 2;
            case 0xF2: return 3;
            default: return 0;
        }
    }

    /** Parses {@code text}; a problem is reported as a {@link SpecException} at {@code file:line}. */
    public static Encoding parse(String text, String file, int line) {
        String[] tokens = text.trim().split("\\s+");
        int i = 0;
        int prefix = ANY;
        OpMap map = OpMap.ONE_BYTE;
        int vexL = -1;
        int w = -1;
        if (i < tokens.length && tokens[i].equals("REX.W")) {
            w = 1;
            i++;
        }
        if (i < tokens.length) {
            switch (tokens[i]) {
                case "NP": prefix = NP; i++; break;
                case "66": prefix = 0x66; i++; break;
                case "F2": prefix = 0xF2; i++; break;
                case "F3": prefix = 0xF3; i++; break;
                default: break;
            }
        }
        if (i < tokens.length && prefix != ANY && tokens[i].equals("REX.W")) {
            w = 1;
            i++;
        }
        if (i < tokens.length) {
            String t = tokens[i];
            if (t.equals("0F") && i + 1 < tokens.length && !tokens[i + 1].startsWith("/")) {
                map = OpMap.MAP_0F;
                i++;
            } else if (t.equals("0F38")) {
                map = OpMap.MAP_0F38;
                i++;
            } else if (t.equals("0F3A")) {
                map = OpMap.MAP_0F3A;
                i++;
            } else if (t.equals("0F0F")) {
                map = OpMap.MAP_0F0F;
                i++;
            } else if (t.startsWith("VEX.") || t.startsWith("EVEX.")) {
                if (prefix != ANY || w != -1) {
                    throw new SpecException(file, line, "enc '" + text + "': VEX/EVEX carries its prefix inside (VEX.128.66.0F.W0)");
                }
                String[] parts = t.split("\\.");
                boolean evex = parts[0].equals("EVEX");
                if (parts.length < 4 || parts.length > 5) {
                    throw new SpecException(file, line, "enc '" + text + "': expected " + parts[0] + ".<L>.[pp.]<map>.<W>");
                }
                vexL = parseL(parts[1], evex, text, file, line);
                int p = 2;
                prefix = NP;
                if (parts.length == 5) {
                    switch (parts[2]) {
                        case "66": prefix = 0x66; break;
                        case "F2": prefix = 0xF2; break;
                        case "F3": prefix = 0xF3; break;
                        default:
                            throw new SpecException(file, line, "enc '" + text + "': unknown pp '" + parts[2] + "'");
                    }
                    p = 3;
                }
                map = OpMap.byLabel(parts[0] + "." + parts[p]);
                if (map == null || (!evex && map.label().contains("MAP"))) {
                    throw new SpecException(file, line, "enc '" + text + "': unknown map '" + parts[p] + "'");
                }
                switch (parts[p + 1]) {
                    case "W0": w = 0; break;
                    case "W1": w = 1; break;
                    case "WIG": w = -1; break;
                    default:
                        throw new SpecException(file, line, "enc '" + text + "': unknown W '" + parts[p + 1] + "'");
                }
                i++;
            }
        }
        if (i >= tokens.length) {
            throw new SpecException(file, line, "enc '" + text + "': no opcode");
        }
        String op = tokens[i++];
        int count = 1;
        if (op.endsWith("+r")) {
            count = 8;
            op = op.substring(0, op.length() - 2);
        } else if (op.endsWith("+cc")) {
            count = 16;
            op = op.substring(0, op.length() - 3);
        }
        if (!isHex(op)) {
            throw new SpecException(file, line, "enc '" + text + "': opcode '" + op + "' is not two hex digits");
        }
        int opcode = Integer.parseInt(op, 16);
        if ((opcode & (count - 1)) != 0) {
            throw new SpecException(file, line, "enc '" + text + "': opcode of a +r/+cc form must have its low bits clear");
        }
        int modrm = NO_MODRM;
        int mod = MOD_ANY;
        int fixed = -1;
        if (i < tokens.length) {
            String m = tokens[i++];
            String suffix = "";
            int colon = m.indexOf(':');
            if (colon >= 0) {
                suffix = m.substring(colon + 1);
                m = m.substring(0, colon);
            }
            if (m.equals("/r")) {
                modrm = MODRM_ANY;
            } else if (m.length() == 2 && m.charAt(0) == '/' && m.charAt(1) >= '0' && m.charAt(1) <= '7') {
                modrm = m.charAt(1) - '0';
            } else if (isHex(m) && suffix.isEmpty()) {
                modrm = MODRM_FIXED;
                fixed = Integer.parseInt(m, 16);
                mod = MOD_REG;
                if ((fixed & 0xC0) != 0xC0) {
                    mod = MOD_MEM;
                }
            } else {
                throw new SpecException(file, line, "enc '" + text + "': cannot parse ModRM token '" + tokens[i - 1] + "'");
            }
            switch (suffix) {
                case "": break;
                case "mem": mod = MOD_MEM; break;
                case "reg": mod = MOD_REG; break;
                default:
                    throw new SpecException(file, line, "enc '" + text + "': ModRM suffix must be :mem or :reg");
            }
        }
        if (i < tokens.length) {
            throw new SpecException(file, line, "enc '" + text + "': unexpected '" + tokens[i]
                + "' (immediates come from the operands)");
        }
        if (map == OpMap.MAP_0F0F && modrm == NO_MODRM) {
            throw new SpecException(file, line, "enc '" + text + "': 3DNow! forms take ModRM");
        }
        return new Encoding(map, prefix, opcode, count, modrm, mod, fixed, vexL, w);
    }

    private static int parseL(String l, boolean evex, String text, String file, int line) {
        switch (l) {
            case "128": case "L0": case "LZ": return 0;
            case "256": case "L1": return 1;
            case "512":
                if (evex) {
                    return 2;
                }
                break;
            case "LIG": return -1;
            default: break;
        }
        throw new SpecException(file, line, "enc '" + text + "': unknown vector length '" + l + "'");
    }

    static boolean isHex(String s) {
        return s.length() == 2 && s.toUpperCase(Locale.ROOT).equals(s)
            && Character.digit(s.charAt(0), 16) >= 0 && Character.digit(s.charAt(1), 16) >= 0;
    }
}
