package dev.hvex.spec;

/** RFLAGS bits by the letters the spec uses: O S Z A P C D I T, and K for AC. */
public final class Flags {
    public static final int CF = 1;
    public static final int PF = 1 << 2;
    public static final int AF = 1 << 4;
    public static final int ZF = 1 << 6;
    public static final int SF = 1 << 7;
    public static final int TF = 1 << 8;
    public static final int IF = 1 << 9;
    public static final int DF = 1 << 10;
    public static final int OF = 1 << 11;
    public static final int AC = 1 << 18;

    private Flags() {
    }

    /** The mask of a letter string, or -1 when it has a letter that is not a flag. */
    public static int parse(String letters) {
        int mask = 0;
        for (char c : letters.toCharArray()) {
            switch (c) {
                case 'O': mask |= OF; break;
                case 'S': mask |= SF; break;
                case 'Z': mask |= ZF; break;
                case 'A': mask |= AF; break;
                case 'P': mask |= PF; break;
                case 'C': mask |= CF; break;
                case 'D': mask |= DF; break;
                case 'I': mask |= IF; break;
                case 'T': mask |= TF; break;
                case 'K': mask |= AC; break;
                default: return -1;
            }
        }
        return mask;
    }
}
