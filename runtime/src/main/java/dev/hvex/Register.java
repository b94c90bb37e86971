package dev.hvex;

/**
 * The register names of the get/set register callbacks: the fixed set that the Windows Hypervisor
 * Platform's emulator uses (WHV_REGISTER_NAME), in Java spelling. Values travel in a
 * {@link RegisterValues} batch as two longs; {@link Kind} says how the two longs are laid out.
 */
public enum Register {
    RAX(Kind.GPR), RCX(Kind.GPR), RDX(Kind.GPR), RBX(Kind.GPR),
    RSP(Kind.GPR), RBP(Kind.GPR), RSI(Kind.GPR), RDI(Kind.GPR),
    R8(Kind.GPR), R9(Kind.GPR), R10(Kind.GPR), R11(Kind.GPR),
    R12(Kind.GPR), R13(Kind.GPR), R14(Kind.GPR), R15(Kind.GPR),
    RIP(Kind.GPR), RFLAGS(Kind.GPR),

    ES(Kind.SEGMENT), CS(Kind.SEGMENT), SS(Kind.SEGMENT), DS(Kind.SEGMENT),
    FS(Kind.SEGMENT), GS(Kind.SEGMENT), LDTR(Kind.SEGMENT), TR(Kind.SEGMENT),
    IDTR(Kind.TABLE), GDTR(Kind.TABLE),

    CR0(Kind.GPR), CR2(Kind.GPR), CR3(Kind.GPR), CR4(Kind.GPR),

    XMM0(Kind.VECTOR), XMM1(Kind.VECTOR), XMM2(Kind.VECTOR), XMM3(Kind.VECTOR),
    XMM4(Kind.VECTOR), XMM5(Kind.VECTOR), XMM6(Kind.VECTOR), XMM7(Kind.VECTOR),
    XMM8(Kind.VECTOR), XMM9(Kind.VECTOR), XMM10(Kind.VECTOR), XMM11(Kind.VECTOR),
    XMM12(Kind.VECTOR), XMM13(Kind.VECTOR), XMM14(Kind.VECTOR), XMM15(Kind.VECTOR),

    FP_MMX0(Kind.VECTOR), FP_MMX1(Kind.VECTOR), FP_MMX2(Kind.VECTOR), FP_MMX3(Kind.VECTOR),
    FP_MMX4(Kind.VECTOR), FP_MMX5(Kind.VECTOR), FP_MMX6(Kind.VECTOR), FP_MMX7(Kind.VECTOR),
    FCW(Kind.GPR), FSW(Kind.GPR), FTW(Kind.GPR), FOP(Kind.GPR), FIP(Kind.GPR), FDP(Kind.GPR),
    MXCSR(Kind.GPR),

    /** The upper 128 bits of YMM0..15 (not a WHv name: hvex's extension for 256-bit VEX moves). */
    YMM0_HIGH(Kind.VECTOR), YMM1_HIGH(Kind.VECTOR), YMM2_HIGH(Kind.VECTOR), YMM3_HIGH(Kind.VECTOR),
    YMM4_HIGH(Kind.VECTOR), YMM5_HIGH(Kind.VECTOR), YMM6_HIGH(Kind.VECTOR), YMM7_HIGH(Kind.VECTOR),
    YMM8_HIGH(Kind.VECTOR), YMM9_HIGH(Kind.VECTOR), YMM10_HIGH(Kind.VECTOR), YMM11_HIGH(Kind.VECTOR),
    YMM12_HIGH(Kind.VECTOR), YMM13_HIGH(Kind.VECTOR), YMM14_HIGH(Kind.VECTOR), YMM15_HIGH(Kind.VECTOR),

    TSC(Kind.GPR), EFER(Kind.GPR), KERNEL_GS_BASE(Kind.GPR),
    SYSENTER_CS(Kind.GPR), SYSENTER_ESP(Kind.GPR), SYSENTER_EIP(Kind.GPR),
    STAR(Kind.GPR), LSTAR(Kind.GPR), CSTAR(Kind.GPR), SFMASK(Kind.GPR);

    /** How a value of this register lies in a batch's two longs. */
    public enum Kind {
        /** A 64-bit value in the low long. */
        GPR,
        /** Segment: base in the low long; limit (32 bits), selector (16), attributes (16) in the high long. */
        SEGMENT,
        /** GDTR/IDTR: base in the low long, limit (16 bits) in the high long. */
        TABLE,
        /** A 128-bit value: bits 63:0 in the low long, 127:64 in the high long. */
        VECTOR
    }

    private final Kind kind;

    Register(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    private static final Register[] VALUES = values();

    /** The general register with hardware number {@code n} (0 = RAX ... 15 = R15). */
    public static Register gpr(int n) {
        return VALUES[RAX.ordinal() + n];
    }

    /** XMM register {@code n}. */
    public static Register xmm(int n) {
        return VALUES[XMM0.ordinal() + n];
    }

    /** The upper half of YMM register {@code n}. */
    public static Register ymmHigh(int n) {
        return VALUES[YMM0_HIGH.ordinal() + n];
    }

    /** Segment register by its hardware number (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS). */
    public static Register segment(int n) {
        return VALUES[ES.ordinal() + n];
    }

    /** All registers, in declaration order; the array is shared: do not modify it. */
    public static Register byOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
