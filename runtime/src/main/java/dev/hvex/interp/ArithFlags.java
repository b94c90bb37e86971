package dev.hvex.interp;

/**
 * RFLAGS results of the integer operations (SDM Vol. 1 3.4.3.1, Vol. 2 per instruction). Every method
 * takes operands already truncated to {@code size} bytes and returns the six status flags; callers merge
 * them under the instruction's written-flags mask.
 */
public final class ArithFlags {
    public static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
    public static final int STATUS = CF | PF | AF | ZF | SF | OF;
    public static final long DF = 1 << 10;
    public static final long AC = 1L << 18;

    private ArithFlags() {
    }

    public static long mask(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    public static long signBit(int size) {
        return 1L << (size * 8 - 1);
    }

    /** Sign-extends the low {@code size} bytes of v. */
    public static long signExtend(long v, int size) {
        int shift = 64 - size * 8;
        return (v << shift) >> shift;
    }

    /** PF, ZF, SF of a result. */
    public static int szp(long result, int size) {
        long r = result & mask(size);
        int f = 0;
        if (r == 0) {
            f |= ZF;
        }
        if ((r & signBit(size)) != 0) {
            f |= SF;
        }
        if ((Integer.bitCount((int) (r & 0xff)) & 1) == 0) {
            f |= PF;
        }
        return f;
    }

    public static int add(long a, long b, long carryIn, int size) {
        long m = mask(size);
        long r = (a + b + carryIn) & m;
        int f = szp(r, size);
        boolean carry = size == 8
            ? Long.compareUnsigned(r, a) < 0 || (carryIn != 0 && r == a)
            : ((a & m) + (b & m) + carryIn) > m;
        if (carry) {
            f |= CF;
        }
        if ((((a ^ r) & (b ^ r)) & signBit(size)) != 0) {
            f |= OF;
        }
        if (((a ^ b ^ r) & 0x10) != 0) {
            f |= AF;
        }
        return f;
    }

    public static int sub(long a, long b, long borrowIn, int size) {
        long m = mask(size);
        long r = (a - b - borrowIn) & m;
        int f = szp(r, size);
        boolean borrow = Long.compareUnsigned(a & m, b & m) < 0 || (borrowIn != 0 && (a & m) == (b & m));
        if (borrow) {
            f |= CF;
        }
        if ((((a ^ b) & (a ^ r)) & signBit(size)) != 0) {
            f |= OF;
        }
        if (((a ^ b ^ r) & 0x10) != 0) {
            f |= AF;
        }
        return f;
    }

    /** AND/OR/XOR/TEST: CF = OF = 0; AF is undefined and left 0. */
    public static int logic(long r, int size) {
        return szp(r, size);
    }
}
