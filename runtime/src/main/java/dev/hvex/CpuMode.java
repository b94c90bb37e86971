package dev.hvex;

/**
 * The processor mode an instruction executes in, as far as decoding and address generation care.
 * Derived from CR0.PE, EFER.LMA, RFLAGS.VM and the code segment's L and D bits (SDM Vol. 3 2.2).
 */
public enum CpuMode {
    /** CR0.PE = 0: 16-bit code, segment base = selector * 16, no privilege checks. */
    REAL16(2, false),
    /** Virtual-8086 mode: real-mode addressing at CPL 3 under protected mode. */
    VM86(2, false),
    /** Protected mode, CS.D = 0. */
    PROT16(2, false),
    /** Protected mode, CS.D = 1. */
    PROT32(4, false),
    /** Long mode (EFER.LMA) with a 16-bit code segment (CS.L = 0, CS.D = 0). */
    COMPAT16(2, false),
    /** Long mode with a 32-bit code segment (CS.L = 0, CS.D = 1). */
    COMPAT32(4, false),
    /** 64-bit mode (EFER.LMA and CS.L). */
    LONG64(4, true);

    private final int defaultSize;
    private final boolean is64;

    CpuMode(int defaultSize, boolean is64) {
        this.defaultSize = defaultSize;
        this.is64 = is64;
    }

    /** Default operand and address size in bytes (2 or 4; 64-bit mode's default operand size is 4). */
    public int defaultSize() {
        return defaultSize;
    }

    public boolean is64() {
        return is64;
    }

    /** Real and virtual-8086 modes compute segment bases from selectors and skip descriptor checks. */
    public boolean isRealAddressing() {
        return this == REAL16 || this == VM86;
    }

    /** The name used in exit-case files and on the command line (lower case: {@code long64}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static final CpuMode[] VALUES = values();

    /** Parses a {@link #label()}; returns null when the text names no mode. */
    public static CpuMode fromLabel(String text) {
        for (CpuMode m : VALUES) {
            if (m.label().equals(text)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The mode the architectural state selects.
     *
     * @param cr0Pe    CR0.PE
     * @param eferLma  EFER.LMA
     * @param rflagsVm RFLAGS.VM
     * @param csAttributes the code segment's access-rights word (L is bit 13, D/B bit 14)
     */
    public static CpuMode of(boolean cr0Pe, boolean eferLma, boolean rflagsVm, int csAttributes) {
        boolean l = (csAttributes & (1 << 13)) != 0;
        boolean d = (csAttributes & (1 << 14)) != 0;
        if (!cr0Pe) {
            return REAL16;
        }
        if (eferLma) {
            return l ? LONG64 : d ? COMPAT32 : COMPAT16;
        }
        if (rflagsVm) {
            return VM86;
        }
        return d ? PROT32 : PROT16;
    }
}
