package dev.hvex.conformance.generate;

import dev.hvex.CpuMode;
import dev.hvex.Register;
import dev.hvex.conformance.Bytes;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.AccessType;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.MmioAccess;
import dev.hvex.conformance.RegValue;
import dev.hvex.spec.Encoding;
import dev.hvex.spec.Entry;
import dev.hvex.spec.Flags;
import dev.hvex.spec.Operand;
import dev.hvex.spec.Operand.Method;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates exit cases for one spec entry in one mode: the instruction encoded from the entry's
 * encoding and operands with random prefixes, operand and address sizes and addressing forms, a guest
 * (segments, pages, code on RAM, the memory operand on MMIO, a stack) that makes it execute at CPL 3
 * under the processor oracle, random register, flag, memory and XMM contents, and the variations of
 * {@link Variant}. Nothing here knows an instruction by name: everything follows from the {@link Entry}.
 *
 * <p>Each case comes from its own seed (form, mode, serial), so adding entries changes no other case.
 */
final class FormGenerator {
    static final long CR0 = 0x8005_0033L;
    static final long CR3 = 0x10_0000L;
    static final long CR4 = 0x406b0L;
    static final long EFER = 0xd01L;
    /** Every RFLAGS bit the format compares by default. */
    static final long ALL_FLAGS = 0x3f7fd7L;
    static final long ARITH_FLAGS = Flags.CF | Flags.PF | Flags.AF | Flags.ZF | Flags.SF | Flags.OF;

    private static final int[] SEG_PREFIX = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
    private static final String[] SEG_NAME = {"es", "cs", "ss", "ds", "fs", "gs"};

    /** What a generated case is, beyond the case itself, for the checks after the oracle ran. */
    record Meta(String id, String form, String family, CpuMode mode, String variant, Bytes bytes, int length, long rip,
                long flagsMask, List<Long> codeGpas, String expectedFault, boolean rep) {
    }

    record Generated(ExitCase exitCase, Meta meta) {
    }

    /** Thrown when a random choice cannot be placed; the case is drawn again. */
    static final class Retry extends RuntimeException {
        Retry(String why) {
            super(why, null, false, false);
        }
    }

    private final FormShape shape;
    private final Entry entry;
    private final CpuMode mode;
    private final boolean longMode;
    private final long seed;

    FormGenerator(FormShape shape, CpuMode mode, long seed) {
        this.shape = shape;
        this.entry = shape.entry;
        this.mode = mode;
        this.longMode = mode == CpuMode.LONG64;
        this.seed = seed;
    }

    static long seedOf(long globalSeed, String form, CpuMode mode, int serial) {
        long h = globalSeed * 0x9E3779B97F4A7C15L;
        for (char ch : (form + "/" + mode.label()).toCharArray()) {
            h = (h ^ ch) * 0x100000001B3L;
        }
        return h ^ (serial * 0xD1B54A32D192ED03L);
    }

    /** Case number {@code serial} of this form and mode, or null when none could be placed. */
    Generated generate(int serial) {
        Random rnd = new Random(seedOf(seed, entry.form(), mode, serial));
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                return new Build(rnd, serial).run();
            } catch (Retry r) {
                // draw again
            }
        }
        return null;
    }

    /** Operand-size choices in bytes. */
    private int[] operandSizes() {
        Encoding enc = shape.enc;
        boolean mandatory = enc.prefix() != Encoding.ANY;
        boolean allow66 = !shape.vex && !mandatory;
        int def = mode.defaultSize();
        if (!shape.sizeVaries) {
            return new int[] {enc.w() == 1 && longMode ? 8 : def};
        }
        if (enc.w() == 1) {
            return new int[] {8};
        }
        List<Integer> c = new ArrayList<>();
        if (enc.prefix() == 0x66 && !shape.vex && !shape.sizeY) {
            // A mandatory 66 is still the operand-size prefix for v/z operands (MOVBE 66 0F38 F0).
            c.add(def == 2 ? 4 : 2);
            if (longMode && enc.w() != 0) {
                c.add(8);
            }
            return c.stream().mapToInt(Integer::intValue).toArray();
        }
        boolean d64 = longMode && entry.osz() != Entry.Osz.NORMAL;
        if (d64) {
            c.add(8);
            if (allow66 && !shape.sizeY) {
                c.add(2);
            }
        } else {
            c.add(def);
            if (allow66 && !shape.sizeY) {
                c.add(def == 2 ? 4 : 2);
            }
            if (longMode && enc.w() != 0) {
                c.add(8);
            }
            if (shape.sizeY && def == 2) {
                c.remove(Integer.valueOf(2));
                if (c.isEmpty()) {
                    c.add(4);
                }
            }
        }
        return c.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One case under construction. */
    private final class Build {
        final Random rnd;
        final int serial;
        final GuestLayout g;
        final List<String> tags = new ArrayList<>();
        final long[] gpr = new long[16];
        final boolean[] fixed = new boolean[16];
        final long[][] xmm = new long[16][];
        /** Memory bytes by linear address, for the value hints: chunks of the operand regions. */
        final List<long[]> chunkAt = new ArrayList<>();
        final List<byte[]> chunks = new ArrayList<>();

        int osz;
        int asz;
        boolean p66;
        boolean p67;
        boolean rexW;
        boolean forceRex;
        int segOverride = -1;
        boolean lock;
        int repPrefix;
        int regNum;
        int rmNum;
        int zNum;
        int vvvv;
        boolean vexW;
        boolean vex3;
        boolean fetch;
        boolean useRmMemory;
        Addressing addr;
        long[] imm;
        int[] immSize;
        long moffs;
        int length;
        long rip;
        long ripLinear;
        long rflags;
        String expectedFault;
        long firstAccessGva = -1;
        long firstAccessGpa;
        AccessType firstAccessType;
        List<Long> codeGpas = new ArrayList<>();
        /** Linear address of the r/m or moffs operand; of the string operands and their span. */
        long memLinear = -1;
        long xLinear = -1;
        long yLinear = -1;
        long strLo;
        long strHi;
        int memSize;

        /** Port I/O: an io exit, code and string operands on RAM. */
        final boolean io = shape.portIo();
        /** The one segment-descriptor variation of a case (protected modes with paging off) is done. */
        boolean segVariantDone;
        int port;
        List<Long> portValues = List.of();

        Build(Random rnd, int serial) {
            this.rnd = rnd;
            this.serial = serial;
            // The processor oracle runs at CPL 3; KVM runs CPL 0 and some CPL 3 (port I/O at CPL 3 in long mode
            // only with IOPL 0: this host's KVM does not keep a long-mode guest's IOPL).
            int cpl = mode == CpuMode.REAL16 ? 0 : mode == CpuMode.PROT16 || mode == CpuMode.PROT32 || io
                    ? (rnd.nextInt(4) == 0 ? 3 : 0) : 3;
            this.g = new GuestLayout(mode, rnd, cpl);
            if (!g.paging && cpl == 3) {
                tags.add("cpl3");
            } else if (g.paging && cpl == 0) {
                tags.add("cpl0");
            }
        }

        boolean chance(int percent) {
            return rnd.nextInt(100) < percent;
        }

        Generated run() {
            chooseEncoding();
            byte[] bytes = assemble();
            length = bytes.length;
            if (length > 15) {
                throw new Retry("too long");
            }
            placeCode();
            placeStack();
            placeOperands();
            bytes = assemble();
            if (bytes.length != length) {
                throw new IllegalStateException(entry.form() + ": length changed");
            }
            writeCode(bytes);
            fillRegisters();
            applyHints();
            fillFlags();
            return finish(bytes);
        }

        // ---------------------------------------------------------------- encoding choices

        void chooseEncoding() {
            int[] sizes = operandSizes();
            osz = sizes[rnd.nextInt(sizes.length)];
            int def = mode.defaultSize();
            boolean d64 = longMode && entry.osz() != Entry.Osz.NORMAL;
            p66 = shape.sizeVaries && !shape.vex && shape.enc.prefix() == Encoding.ANY
                    && (d64 ? osz == 2 : (osz == 2) != (def == 2) && osz != 8);
            rexW = longMode && !shape.vex && (shape.enc.w() == 1 || (osz == 8 && !d64)
                    || (osz == 8 && d64 && chance(20)) || (!shape.sizeVaries && shape.enc.w() == -1 && chance(8)));
            if (longMode && osz == 8 && p66 && !d64) {
                p66 = chance(30); // REX.W wins over 66
            }
            if (longMode && rexW && shape.sizeVaries && !d64 && osz != 8) {
                throw new IllegalStateException("rexW without 64-bit operand size");
            }

            boolean regFormPossible = shape.rmReg && shape.moffsIndex < 0 && shape.xIndex < 0 && shape.yIndex < 0;
            fetch = !shape.hasMemory() || (regFormPossible && shape.rmMem && chance(6)) || (regFormPossible && !shape.rmMem);
            if (io || !g.paging) {
                fetch = false; // port I/O exits from RAM code; the KVM oracle cannot fetch from MMIO
            }
            useRmMemory = shape.rmMem && !fetch;
            if (fetch) {
                tags.add("fetch");
            }
            if (shape.rmIndex >= 0 && !useRmMemory) {
                tags.add("reg");
            }

            // Address size.
            int defAsz = longMode ? 8 : mode.defaultSize();
            asz = defAsz;
            boolean usesAddress = useRmMemory || shape.moffsIndex >= 0 || shape.xIndex >= 0 || shape.yIndex >= 0;
            if (usesAddress ? chance(25) : chance(4)) {
                asz = longMode ? 4 : defAsz == 4 ? 2 : 4;
            }
            p67 = asz != defAsz;
            if (p67) {
                tags.add("a" + 8 * asz);
            }
            if (shape.sizeVaries) {
                tags.add("o" + 8 * osz);
            }

            // Segment override: r/m memory, moffs and the string source take one.
            if ((useRmMemory || shape.moffsIndex >= 0 || shape.xIndex >= 0) && chance(35)) {
                segOverride = longMode && chance(70) ? GuestLayout.FS + rnd.nextInt(2) : rnd.nextInt(6);
                if (segOverride == GuestLayout.CS && chance(70)) {
                    segOverride = GuestLayout.DS; // a write through CS is #GP outside 64-bit mode: some, not a sixth
                }
                tags.add(SEG_NAME[segOverride]);
            } else if (!usesAddress && chance(5)) {
                segOverride = rnd.nextInt(6); // ignored, but must decode
                tags.add(SEG_NAME[segOverride] + "_unused");
            }

            // LOCK: on lockable memory forms often; once per non-lockable memory form (#UD).
            if (shape.lockable() && useRmMemory) {
                lock = chance(35);
            } else if (shape.hasMemory() && !shape.vex && serial == 1) {
                lock = true;
                expectedFault = "UD";
            } else if (entry.lock() && !useRmMemory && shape.rmIndex >= 0 && chance(15)) {
                lock = true;
                expectedFault = "UD";
            }
            if (lock) {
                tags.add("lock");
            }

            if (entry.rep() && chance(75)) {
                repPrefix = 0xf3;
            } else if (entry.repeRepne() && chance(80)) {
                repPrefix = rnd.nextBoolean() ? 0xf3 : 0xf2;
            }
            if (repPrefix != 0) {
                tags.add(entry.repeRepne() ? (repPrefix == 0xf3 ? "repe" : "repne") : "rep");
            }

            int regs = longMode ? 16 : 8;
            if (shape.regIndex >= 0) {
                regNum = rnd.nextInt(regs);
            } else if (shape.enc.modrm() >= 0) {
                regNum = shape.enc.modrm();
            }
            rmNum = rnd.nextInt(regs);
            zNum = shape.zIndex >= 0 ? rnd.nextInt(regs) : 0;
            vvvv = shape.vvvvIndex >= 0 ? rnd.nextInt(regs) : 0;
            vexW = shape.enc.w() == 1 || (shape.enc.w() == -1 && rnd.nextBoolean());
            vex3 = shape.vex && chance(30);
            forceRex = longMode && !shape.vex && chance(15);

            if (useRmMemory) {
                addr = Addressing.random(rnd, asz, longMode);
                tags.add(addr.tag());
            }

            // Immediates.
            imm = new long[shape.immediates.size()];
            immSize = new int[imm.length];
            for (int i = 0; i < imm.length; i++) {
                immSize[i] = shape.immediateBytes(shape.immediates.get(i), osz);
                imm[i] = randomImmediate(immSize[i]);
                if ("shift".equals(entry.family()) && chance(60)) {
                    imm[i] = rnd.nextInt(8 * shape.bytesOf(shape.ops.get(0), osz) + 2); // counts around the width
                }
            }
            if (shape.moffsIndex >= 0) {
                moffs = 0; // placed later
                tags.add("moffs");
            }
            if (io) {
                choosePort();
            }
        }

        /** The port: the imm8, or DX (a common device port or a random one). */
        void choosePort() {
            boolean viaDx = false;
            for (Operand o : shape.ops) {
                if (o.method() == Method.DX) {
                    viaDx = true;
                }
            }
            if (viaDx) {
                int[] common = {0x3f8, 0x3fd, 0x60, 0x64, 0x70, 0x71, 0xcf8, 0xcfc, 0xcfe, 0x1f0, 0x80, 0x510};
                port = chance(50) ? common[rnd.nextInt(common.length)] : rnd.nextInt(0x10000);
                gpr[2] = chance(30) ? (rnd.nextLong() & ~0xffffL) | port : port;
                if (!longMode) {
                    gpr[2] = mask32(gpr[2]);
                }
                fixed[2] = true;
                tags.add("dx");
            } else {
                port = (int) (imm[0] & 0xff);
                tags.add("imm8");
            }
        }

        long randomImmediate(int size) {
            int p = rnd.nextInt(10);
            long v;
            if (p == 0) {
                v = 0;
            } else if (p == 1) {
                v = 1;
            } else if (p == 2) {
                v = -1;
            } else if (p < 5) {
                v = rnd.nextInt(64);
            } else {
                v = rnd.nextLong();
            }
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        }

        // ---------------------------------------------------------------- assembly

        int rexBits() {
            int r = 0;
            if (rexW) {
                r |= 8;
            }
            if (shape.regIndex >= 0 && regNum > 7) {
                r |= 4;
            }
            if (useRmMemory) {
                if (addr.sib && addr.index > 7) {
                    r |= 2;
                }
                if (addr.sib ? addr.base > 7 : addr.base > 7) {
                    r |= 1;
                }
            } else if (shape.rmIndex >= 0 && rmNum > 7) {
                r |= 1;
            }
            if (shape.zIndex >= 0 && zNum > 7) {
                r |= 1;
            }
            return r;
        }

        boolean hasRex() {
            return longMode && !shape.vex && (rexBits() != 0 || forceRex);
        }

        byte[] assemble() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> prefixes = new ArrayList<>();
            if (segOverride >= 0) {
                prefixes.add(SEG_PREFIX[segOverride]);
            }
            if (p66) {
                prefixes.add(0x66);
            }
            if (p67) {
                prefixes.add(0x67);
            }
            if (lock) {
                prefixes.add(0xf0);
            }
            if (repPrefix != 0) {
                prefixes.add(repPrefix);
            }
            Collections.shuffle(prefixes, new Random(serial * 31L + prefixes.size()));
            for (int p : prefixes) {
                out.write(p);
            }
            Encoding enc = shape.enc;
            if (!shape.vex && enc.prefix() > 0) {
                out.write(enc.prefix());
            }
            int rex = rexBits();
            if (shape.vex) {
                int pp = enc.prefix() == 0x66 ? 1 : enc.prefix() == 0xf3 ? 2 : enc.prefix() == 0xf2 ? 3 : 0;
                int l = enc.vexL() == 1 ? 1 : 0;
                int notV = (~vvvv) & 15;
                boolean three = vex3 || (rex & 3) != 0 || vexW || enc.map() != dev.hvex.spec.OpMap.VEX_0F;
                if (!three) {
                    out.write(0xc5);
                    out.write(((rex & 4) == 0 ? 0x80 : 0) | notV << 3 | l << 2 | pp);
                } else {
                    int mmmmm = enc.map() == dev.hvex.spec.OpMap.VEX_0F ? 1 : enc.map() == dev.hvex.spec.OpMap.VEX_0F38 ? 2 : 3;
                    out.write(0xc4);
                    out.write(((rex & 4) == 0 ? 0x80 : 0) | ((rex & 2) == 0 ? 0x40 : 0) | ((rex & 1) == 0 ? 0x20 : 0) | mmmmm);
                    out.write((vexW ? 0x80 : 0) | notV << 3 | l << 2 | pp);
                }
            } else {
                if (hasRex()) {
                    out.write(0x40 | rex);
                }
                switch (enc.map()) {
                    case MAP_0F: out.write(0x0f); break;
                    case MAP_0F38: out.write(0x0f); out.write(0x38); break;
                    case MAP_0F3A: out.write(0x0f); out.write(0x3a); break;
                    default: break;
                }
            }
            int opcode = enc.opcode();
            if (enc.opcodeCount() == 8) {
                opcode += zNum & 7;
            }
            out.write(opcode);
            if (enc.hasModrm()) {
                if (enc.modrm() == Encoding.MODRM_FIXED) {
                    out.write(enc.fixedModrm());
                } else if (useRmMemory) {
                    out.write(addr.mod << 6 | (regNum & 7) << 3 | addr.rm);
                    if (addr.sib) {
                        int idx = addr.index < 0 ? 4 : addr.index & 7;
                        int base = addr.base < 0 ? 5 : addr.base & 7;
                        out.write(addr.scale << 6 | idx << 3 | base);
                    }
                    writeLe(out, addr.disp, addr.dispSize);
                } else {
                    out.write(0xc0 | (regNum & 7) << 3 | (rmNum & 7));
                }
            }
            if (shape.moffsIndex >= 0) {
                writeLe(out, moffs, asz);
            }
            for (int i = 0; i < imm.length; i++) {
                writeLe(out, imm[i], immSize[i]);
            }
            return out.toByteArray();
        }

        void writeLe(ByteArrayOutputStream out, long v, int n) {
            for (int i = 0; i < n; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        // ---------------------------------------------------------------- placement

        long mask32(long v) {
            return v & 0xffffffffL;
        }

        /** Linear address of segment {@code s} offset {@code ea}. */
        long linear(int s, long ea) {
            long base = g.base(s);
            return longMode ? base + ea : mask32(base + ea);
        }

        void placeCode() {
            boolean split = length >= 2 && chance(4);
            int codeBytes = 16;
            for (int attempt = 0; attempt < 40; attempt++) {
                int off = split ? 0x1000 - (1 + rnd.nextInt(length - 1)) : rnd.nextInt(0x1000 - codeBytes + 1);
                if (longMode) {
                    long page = randomLongPage();
                    rip = page + off;
                    ripLinear = rip;
                } else {
                    long base = g.base(GuestLayout.CS);
                    long limit = g.segLimit[GuestLayout.CS];
                    long eip = (rnd.nextLong() & 0xffffffffL) % (limit - codeBytes);
                    eip = adjustOffset(eip, base, off);
                    if (eip < 0 || eip > limit - codeBytes) {
                        continue;
                    }
                    rip = eip;
                    ripLinear = mask32(base + eip);
                }
                long from = ripLinear & -GuestLayout.PAGE;
                long to = (ripLinear + codeBytes + GuestLayout.PAGE - 1) & -GuestLayout.PAGE;
                if (g.rangeFree(from, to)) {
                    for (long p = from; p < to; p += GuestLayout.PAGE) {
                        g.reserve(p);
                    }
                    if (split) {
                        tags.add("codesplit");
                    }
                    return;
                }
            }
            throw new Retry("code");
        }

        /** {@code ea} moved down (or up) by less than a page so that base + ea has page offset {@code off}. */
        long adjustOffset(long ea, long base, int off) {
            long cur = (base + ea) & 0xfff;
            long d = (cur - off) & 0xfff;
            long r = ea - d;
            return r < 0 ? r + 0x1000 : r;
        }

        long randomLongPage() {
            int p = rnd.nextInt(10);
            long a;
            if (p < 3) {
                a = GuestLayout.LOW_LIMIT + (rnd.nextLong() & 0x7fff_ffffL);
            } else {
                a = GuestLayout.LOW_LIMIT + (rnd.nextLong() & (GuestLayout.LONG_TOP - 1)) % (GuestLayout.LONG_TOP - 0x100000);
            }
            return a & -GuestLayout.PAGE;
        }

        void writeCode(byte[] bytes) {
            byte[] code = new byte[16];
            java.util.Arrays.fill(code, (byte) 0xcc);
            System.arraycopy(bytes, 0, code, 0, bytes.length);
            long page0 = ripLinear & -GuestLayout.PAGE;
            int inFirst = (int) Math.min(16, page0 + GuestLayout.PAGE - ripLinear);
            boolean writable = chance(50);
            long gpa0 = g.map(page0, fetch, writable, true);
            codeGpas.add(gpa0 + (ripLinear & 0xfff));
            g.region(gpa0, ripLinear, java.util.Arrays.copyOfRange(code, 0, inFirst), fetch);
            if (inFirst < 16) {
                long page1 = page0 + GuestLayout.PAGE;
                long gpa1 = g.map(page1, fetch, writable, true);
                codeGpas.add(gpa1);
                g.region(gpa1, page1, java.util.Arrays.copyOfRange(code, inFirst, 16), fetch);
            }
            if (fetch) {
                firstAccessGva = ripLinear;
                firstAccessGpa = gpa0 + (ripLinear & 0xfff);
                firstAccessType = AccessType.EXECUTE;
            }
        }

        /**
         * The stack: rSP always points into a mapped RAM page with random bytes around it for the forms whose
         * operand size follows the stack's (d64/f64: PUSH, POP); other forms get a random rSP and no page.
         */
        void placeStack() {
            boolean stack = entry.osz() != Entry.Osz.NORMAL;
            for (int attempt = 0; attempt < 40; attempt++) {
                int off = 0x40 + rnd.nextInt(0xf80);
                long sp;
                long lin;
                if (longMode) {
                    lin = randomLongPage() + off;
                    sp = lin;
                } else {
                    long base = g.base(GuestLayout.SS);
                    boolean big = (g.segAttr[GuestLayout.SS] & 0x4000) != 0;
                    long limit = g.segLimit[GuestLayout.SS];
                    long esp = (rnd.nextLong() & 0xffffffffL) % (limit - 0x80) + 0x40;
                    esp = adjustOffset(esp, base, off);
                    if (esp < 0x40 || esp > limit - 0x40) {
                        continue;
                    }
                    lin = mask32(base + esp);
                    sp = esp;
                    if (!big && chance(30)) {
                        sp |= (rnd.nextLong() & 0xffff) << 16; // ESP[31:16] are not used with a 16-bit stack
                    }
                }
                long page = lin & -GuestLayout.PAGE;
                if (!g.rangeFree(page, page + GuestLayout.PAGE)) {
                    continue;
                }
                if (stack) {
                    long gpa = g.map(page, false, true, false);
                    g.region(gpa, lin - 16, g.randomBytes(32), false);
                } else {
                    g.reserve(page);
                }
                gpr[4] = sp;
                fixed[4] = true;
                return;
            }
            throw new Retry("stack");
        }

        /** Which operand the processor touches first, for the exit's access. */
        void placeOperands() {
            if (fetch || io && !shape.hasMemory()) {
                return;
            }
            int variant = rnd.nextInt(100);
            boolean split = variant < 8;
            boolean splitNp = variant >= 8 && variant < 11 && g.paging;
            boolean readOnly = variant >= 11 && variant < 14 && shape.memoryIsDestination() && g.paging;
            // #AC only for the processor oracle: KVM's emulator does not check alignment.
            boolean ac = variant >= 14 && variant < 16 && g.cpl == 3 && g.paging && !io;
            // A page-crossing operand with only one of its pages on the device (the other RAM).
            splitRam = split && chance(45);
            if (ac) {
                tags.add("ac");
            }
            if (split) {
                tags.add(splitRam ? "split_ram" : "split");
            } else if (splitNp) {
                tags.add("split_np");
            } else if (readOnly) {
                tags.add("ro");
            }
            if (useRmMemory || shape.moffsIndex >= 0) {
                int opIndex = useRmMemory ? shape.rmIndex : shape.moffsIndex;
                int size = shape.bytesOf(shape.ops.get(opIndex), osz);
                int seg = segOverride >= 0 ? segOverride : useRmMemory ? addr.defaultSegment() : GuestLayout.DS;
                long[] extra = extraSpan();
                long lo = -extra[0];
                long hi = size + extra[1];
                long[] eaRange = useRmMemory ? addr.eaRange(rip + length) : new long[] {asz == 8 ? Long.MIN_VALUE / 4 : 0,
                    asz == 8 ? Long.MAX_VALUE / 4 : (1L << (8 * asz)) - 1};
                int align = entry.align();
                long ea = place(seg, eaRange, size, lo, hi, split, splitNp, readOnly, align, ac, accessType());
                segmentVariant(seg, ea, lo, hi, shape.memoryIsDestination());
                memLinear = linear(seg, ea);
                memSize = size;
                if (useRmMemory) {
                    long ripNext = rip + length;
                    if (!longMode) {
                        ripNext = mask32(ripNext);
                    }
                    addr.solve(rnd, ea, ripNext, r -> fixed[r] ? gpr[r] : null);
                    setAddressRegisters();
                } else {
                    moffs = ea & (asz == 8 ? -1L : (1L << (8 * asz)) - 1);
                }
                return;
            }
            // String operands: DS:rSI (X, overridable) and ES:rDI (Y), one element per iteration.
            int elem = shape.bytesOf(shape.ops.get(shape.xIndex >= 0 ? shape.xIndex : shape.yIndex), osz);
            boolean df = chance(40);
            if (df) {
                tags.add("df");
                rflags |= Flags.DF;
            }
            long count = 1;
            if (repPrefix != 0) {
                count = chance(5) && !io ? 0 : 1 + rnd.nextInt(4); // REP INS/OUTS with rCX 0 does not exit
                long cx = count;
                if (asz < 8 || !longMode) {
                    long garbage = rnd.nextLong() << (8 * asz);
                    cx |= chance(30) ? (longMode ? garbage : mask32(garbage)) : 0;
                }
                gpr[1] = cx;
                fixed[1] = true;
            }
            long n = Math.max(count, 1);
            long lo = df ? -(n - 1) * elem : 0;
            long hi = df ? elem : n * elem;
            strLo = lo;
            strHi = hi;
            memSize = elem;
            long[] eaRange = {0, asz == 8 ? (1L << 46) : (1L << (8 * asz)) - 1};
            boolean splitX = shape.xIndex >= 0 && (shape.yIndex < 0 || rnd.nextBoolean());
            if (shape.xIndex >= 0) {
                int seg = segOverride >= 0 ? segOverride : GuestLayout.DS;
                long ea = place(seg, eaRange, elem, lo, hi, split && splitX, splitNp && splitX, false, 0, ac, AccessType.READ);
                segmentVariant(seg, ea, lo, hi, false);
                setStringRegister(6, ea);
                xLinear = linear(seg, ea);
            }
            if (shape.yIndex >= 0) {
                long ea = place(GuestLayout.ES, eaRange, elem, lo, hi, split && !splitX, splitNp && !splitX,
                        readOnly, 0, ac && shape.xIndex < 0,
                        shape.ops.get(0).method() == Method.Y && !entry.repeRepne() ? AccessType.WRITE : AccessType.READ);
                segmentVariant(GuestLayout.ES, ea, lo, hi, shape.ops.get(0).method() == Method.Y && !entry.repeRepne());
                setStringRegister(7, ea);
                yLinear = linear(GuestLayout.ES, ea);
            }
        }

        /**
         * Protected modes with paging off (KVM oracle): sometimes gives the operand's segment a descriptor
         * that is not flat (SDM Vol. 3 5.3 limit checking, 5.4 type checking): a small limit that holds
         * the operand or cuts it (#GP, #SS for SS), an expand-down segment with the operand above or
         * below its limit, a read-only data segment, a null (unusable) data segment, or an execute-only
         * code segment read through a CS override. The bytes [ea+lo, ea+hi) are the offsets the
         * instruction touches; the stack must stay usable for the exception frame.
         */
        void segmentVariant(int seg, long ea, long lo, long hi, boolean writes) {
            if (g.paging || mode == CpuMode.REAL16 || segVariantDone || !chance(24)) {
                return;
            }
            segVariantDone = true;
            int attr = g.segAttr[seg];
            if (seg == GuestLayout.CS) {
                if (!writes && chance(60)) {
                    g.segAttr[seg] = attr & ~2; // execute-only
                    tags.add("seg_xo");
                }
                return;
            }
            long first = ea + lo;
            long last = ea + hi - 1;
            boolean big = (attr & 0x4000) != 0;
            long upper = big ? 0xffffffffL : 0xffff;
            int kind = rnd.nextInt(seg == GuestLayout.SS ? 4 : 6);
            long limit = g.segLimit[seg];
            int newAttr = attr & ~0x8000;
            boolean roundUp;
            String tag;
            switch (kind) {
                case 0: // a small limit that holds the operand
                    limit = Math.min(upper, last + rnd.nextInt(0x200));
                    roundUp = true;
                    tag = "seg_limit";
                    break;
                case 1: // a limit that cuts the operand or lies below it
                    limit = hi - lo > 1 && chance(60) ? first + rnd.nextInt((int) (hi - lo - 1)) : first - 1 - rnd.nextInt(0x100);
                    roundUp = false;
                    tag = "seg_limit_out";
                    break;
                case 2: // expand-down, operand above the limit
                    limit = first - 1 - (first > 1 ? Math.floorMod(rnd.nextLong(), Math.min(first, 0x10000L)) : 0);
                    newAttr |= 4;
                    roundUp = false;
                    tag = "seg_expdown";
                    break;
                case 3: // expand-down, operand at or below the limit
                    limit = Math.min(upper, hi - lo > 1 && chance(50) ? first + rnd.nextInt((int) (hi - lo - 1)) : last + rnd.nextInt(0x100));
                    newAttr |= 4;
                    roundUp = true;
                    tag = "seg_expdown_out";
                    break;
                case 4: // read-only data
                    newAttr &= ~2;
                    roundUp = true;
                    tag = "seg_ro";
                    break;
                default: // null selector: unusable
                    g.segSel[seg] = rnd.nextInt(4);
                    g.segAttr[seg] = 0;
                    g.segLimit[seg] = 0;
                    g.segBase[seg] = g.base(seg); // the operand's linear address stays where it was placed
                    tags.add("seg_null");
                    return;
            }
            if (limit < 0) {
                throw new Retry("no limit below the operand");
            }
            if (limit > 0xfffff) {
                newAttr |= 0x8000;
                limit = roundUp ? limit | 0xfff : ((limit + 1) & -0x1000L) - 1;
            }
            if (seg == GuestLayout.SS) {
                // The stack (and an exception frame below it at CPL 0) must stay within the segment.
                long sp = gpr[4] & upper;
                boolean spOk = (newAttr & 4) != 0 ? sp - 0x20 > limit : sp <= limit;
                if (!spOk) {
                    throw new Retry("the stack would leave the segment");
                }
            }
            g.segAttr[seg] = newAttr;
            g.segLimit[seg] = limit;
            tags.add(tag);
        }

        void setStringRegister(int r, long ea) {
            long v = ea;
            if (asz < 8) {
                long garbage = rnd.nextLong() << (8 * asz);
                if (chance(30)) {
                    v |= longMode ? garbage : mask32(garbage);
                }
            }
            gpr[r] = longMode ? v : mask32(v);
            fixed[r] = true;
        }

        void setAddressRegisters() {
            int[] regs = addr.registers();
            for (int k = 0; k < regs.length; k++) {
                int r = regs[k];
                boolean isIndex = asz == 2 ? k == 1 : (addr.index == r);
                long v = isIndex ? addr.indexValue : addr.baseValue;
                if (fixed[r]) {
                    if ((gpr[r] & addr.mask()) != (v & addr.mask())) {
                        throw new Retry("register conflict");
                    }
                    continue;
                }
                if (asz < 8 && chance(30)) {
                    long garbage = rnd.nextLong() << (8 * asz);
                    v |= longMode ? garbage : mask32(garbage);
                }
                gpr[r] = longMode ? v : mask32(v);
                fixed[r] = true;
            }
        }

        /**
         * Places one memory operand: chooses its effective address within {@code eaRange} (signed, inclusive)
         * and the segment's limit, so that the bytes [L+lo, L+hi) (L its linear address) fall on MMIO pages as
         * the variant wants; maps the pages and adds the regions. Returns the effective address.
         */
        boolean splitRam;

        long place(int seg, long[] eaRange, int size, long lo, long hi, boolean split, boolean splitNp,
                   boolean readOnly, int align, boolean ac, AccessType type) {
            long width = hi - lo;
            int slackBefore = rnd.nextInt(5);
            int slackAfter = rnd.nextInt(5);
            for (int attempt = 0; attempt < 60; attempt++) {
                // Page offset of the first byte S = L + lo.
                long sOff;
                if (split || splitNp) {
                    sOff = 0x1000 - (1 + (width > 1 ? rnd.nextInt((int) width - 1) : 0));
                    if (width < 2) {
                        throw new Retry("one-byte operand cannot split");
                    }
                } else {
                    long room = 0x1000 - width - slackBefore - slackAfter;
                    if (room < 0) {
                        throw new Retry("too wide");
                    }
                    sOff = slackBefore + (room > 0 ? rnd.nextLong() % (room + 1) : 0);
                    if (sOff < slackBefore) {
                        sOff += room + 1;
                    }
                }
                long lOff = (sOff - lo) & 0xfff;
                // Alignment of L.
                if (!split && !splitNp) {
                    if (align > 0) {
                        if (chance(90)) {
                            lOff &= -align;
                        } else {
                            lOff = (lOff & -align) + 1 + rnd.nextInt(align - 1);
                            tags.add("misalign");
                        }
                    } else if (ac && size > 1) {
                        lOff = (lOff & -size) + 1 + rnd.nextInt(size - 1);
                    } else if (chance(35) && size > 1) {
                        lOff &= -Math.min(size, 16);
                    }
                    if (((lOff + lo) & 0xfff) + width > 0x1000 || lOff + lo < 0) {
                        continue;
                    }
                }
                long base = g.base(seg);
                long eaLo = eaRange[0];
                long eaHi = eaRange[1];
                if (!longMode) {
                    long limit = g.segLimit[seg];
                    long amask = asz == 8 ? 0xffffffffL : (1L << (8 * asz)) - 1;
                    eaLo = Math.max(eaLo, -lo);
                    eaHi = Math.min(eaHi, Math.min(limit, amask) - (hi - 1));
                } else {
                    if (asz == 4) {
                        eaLo = Math.max(eaLo, -lo);
                        eaHi = Math.min(eaHi, 0xffffffffL - (hi - 1));
                    }
                    // L must stay in the low user half.
                    eaLo = Math.max(eaLo, GuestLayout.LOW_LIMIT - lo - base);
                    eaHi = Math.min(eaHi, GuestLayout.LONG_TOP - GuestLayout.PAGE * 2 - hi - base);
                    if (asz == 8 && chance(40)) {
                        eaHi = Math.min(eaHi, Math.max(eaLo, 0xffffffffL - base));
                    }
                }
                if (eaHi < eaLo) {
                    throw new Retry("no effective address fits");
                }
                long span = eaHi - eaLo;
                long ea = eaLo + (span <= 0 ? 0 : Math.floorMod(rnd.nextLong(), span + 1));
                long cur = (base + ea) & 0xfff;
                ea -= (cur - lOff) & 0xfff;
                if (ea < eaLo) {
                    ea += 0x1000;
                }
                if (ea > eaHi || ea < eaLo) {
                    continue;
                }
                long lin = linear(seg, ea);
                long s = lin + lo;
                long e = lin + hi;
                long firstPage = s & -GuestLayout.PAGE;
                long lastPage = (e - 1) & -GuestLayout.PAGE;
                if (!longMode && e > 0x1_0000_0000L) {
                    continue;
                }
                if (!g.rangeFree(firstPage, lastPage + GuestLayout.PAGE)) {
                    continue;
                }
                if ((split || splitNp) && firstPage == lastPage) {
                    continue;
                }
                // Map and fill.
                long regionStart = Math.max(firstPage, s - slackBefore);
                long regionEnd = Math.min(lastPage + GuestLayout.PAGE, e + slackAfter);
                // The absent page of split_np is the one the first access does not start on: the exit came
                // from the present part, and the emulator must find the rest not present.
                long absent = (lin & -GuestLayout.PAGE) == lastPage ? firstPage : lastPage;
                for (long page = firstPage; page <= lastPage; page += GuestLayout.PAGE) {
                    if (splitNp && page == absent) {
                        g.reserve(page);
                        if (expectedFault == null) {
                            expectedFault = "PF";
                        }
                        continue;
                    }
                    boolean device = !io && !(split && splitRam && page == absent);
                    long gpa = g.map(page, device, !readOnly, false);
                    long from = Math.max(page, regionStart);
                    long to = Math.min(page + GuestLayout.PAGE, regionEnd);
                    byte[] bytes = g.randomBytes((int) (to - from));
                    g.region(gpa, from, bytes, device);
                    chunkAt.add(new long[] {from, to});
                    chunks.add(bytes);
                    if (firstAccessGva < 0 && lin >= page && lin < page + GuestLayout.PAGE) {
                        firstAccessGva = lin;
                        firstAccessGpa = gpa + (lin & 0xfff);
                        firstAccessType = type;
                    }
                }
                if (firstAccessGva < 0) {
                    // L itself lies before the region start (string DF=1 span); report the first byte.
                    firstAccessGva = lin;
                    firstAccessGpa = g.paging ? g.pages.get(g.pages.size() - 1).gpa() + (lin & 0xfff) : lin;
                    firstAccessType = type;
                }
                if (readOnly && expectedFault == null) {
                    expectedFault = type == AccessType.WRITE ? "PF" : "PF?";
                }
                return ea;
            }
            throw new Retry("operand placement");
        }

        // ---------------------------------------------------------------- values

        long memoryByte(long linearAddress) {
            for (int i = 0; i < chunks.size(); i++) {
                long[] c = chunkAt.get(i);
                if (linearAddress >= c[0] && linearAddress < c[1]) {
                    return chunks.get(i)[(int) (linearAddress - c[0])] & 0xff;
                }
            }
            return -1;
        }

        boolean setMemoryByte(long linearAddress, int v) {
            for (int i = 0; i < chunks.size(); i++) {
                long[] c = chunkAt.get(i);
                if (linearAddress >= c[0] && linearAddress < c[1]) {
                    chunks.get(i)[(int) (linearAddress - c[0])] = (byte) v;
                    return true;
                }
            }
            return false;
        }

        void fillRegisters() {
            int regs = longMode ? 16 : 8;
            boolean[] used = referencedRegisters();
            for (int r = 0; r < regs; r++) {
                if (fixed[r]) {
                    continue;
                }
                // Registers the instruction names get rich values; the others cheap ones (the case files stay small).
                gpr[r] = used[r] ? randomRegister() : chance(85) ? 0 : randomSmall();
            }
            for (int i = 0; i < shape.ops.size(); i++) {
                Operand o = shape.ops.get(i);
                int n = -1;
                if (o.method() == Method.V || (o.method() == Method.W || o.method() == Method.U) && !useRmMemory) {
                    n = o.method() == Method.V ? regNum : rmNum;
                } else if (o.method() == Method.H) {
                    n = vvvv;
                }
                if (n >= 0) {
                    xmm[n] = new long[] {rnd.nextLong(), rnd.nextLong()};
                }
            }
            if (shape.vex || entry.family().equals("sse") || entry.family().equals("avx")) {
                int other = rnd.nextInt(regs);
                if (xmm[other] == null) {
                    xmm[other] = new long[] {rnd.nextLong(), rnd.nextLong()};
                }
            }
        }

        /** The general registers the encoding names, and rAX..rBX (the usual implicit operands). */
        boolean[] referencedRegisters() {
            boolean[] used = new boolean[16];
            for (int r = 0; r < 4; r++) {
                used[r] = true;
            }
            for (Operand o : shape.ops) {
                switch (o.method()) {
                    case G: mark(used, regNum); break;
                    case E: case R: if (!useRmMemory) { mark(used, rmNum); } break;
                    case Z: mark(used, zNum); break;
                    case B: mark(used, vvvv); break;
                    default: break;
                }
            }
            return used;
        }

        void mark(boolean[] used, int r) {
            used[r] = true;
            if (r >= 4 && r < 8) {
                used[r - 4] = true; // AH..BH without REX
            }
        }

        long randomSmall() {
            long v = rnd.nextBoolean() ? rnd.nextInt(0x100) : -1 - rnd.nextInt(0x100);
            return longMode ? v : mask32(v);
        }

        long randomRegister() {
            int p = rnd.nextInt(100);
            long v;
            if (p < 14) {
                v = rnd.nextLong();
            } else if (p < 30) {
                v = rnd.nextLong() & 0xffffffffL;
            } else if (p < 66) {
                v = rnd.nextInt(0x100);
            } else {
                v = -1 - rnd.nextInt(0x100);
            }
            return longMode ? v : mask32(v);
        }

        void fillFlags() {
            rflags |= 0x202 | (rnd.nextLong() & ARITH_FLAGS);
            if (shape.xIndex < 0 && shape.yIndex < 0 && chance(15)) {
                rflags |= Flags.DF;
            }
            if (tags.contains("ac")) {
                rflags |= Flags.AC;
            }
            if (io && g.cpl > 0 && mode != CpuMode.REAL16) {
                // IOPL 3 usually; otherwise the TSS has no I/O permission bitmap and the access is #GP(0).
                if (!g.paging && chance(75)) {
                    rflags |= 0x3000;
                } else {
                    tags.add("iopl" + (g.paging ? 0 : rnd.nextInt(3)));
                    rflags |= (long) (tags.get(tags.size() - 1).charAt(4) - '0') << 12;
                    if (expectedFault == null) {
                        expectedFault = "GP";
                    }
                    ioTss = true;
                }
            }
        }

        boolean ioTss;

        // ---------------------------------------------------------------- value hints

        /**
         * Bytes beyond the operand that the instruction may touch: a bit-string operand addressed by a
         * register offset (a G operand next to an r/m of a family whose register picks a bit) reaches
         * the bytes around it. {before, after}.
         */
        long[] extraSpan() {
            if (bitOffsetRegister()) {
                return new long[] {16, 16};
            }
            return new long[] {0, 0};
        }

        boolean bitOffsetRegister() {
            return "bt".equals(entry.family()) && shape.regIndex >= 0 && shape.ops.get(shape.regIndex).method() == Method.G;
        }

        long sizeMask(int bytes) {
            return bytes >= 8 ? -1L : (1L << (8 * bytes)) - 1;
        }

        /** Little-endian memory value at a linear address, or -1 when a byte is not in a region. */
        long memoryValue(long linearAddress, int bytes) {
            long v = 0;
            for (int i = 0; i < bytes; i++) {
                long b = memoryByte(linearAddress + i);
                if (b < 0) {
                    return -1;
                }
                v |= b << (8 * i);
            }
            return v;
        }

        void setLow(int r, long value, int bytes) {
            long m = sizeMask(bytes);
            gpr[r] = (gpr[r] & ~m) | (value & m);
            if (!longMode) {
                gpr[r] = mask32(gpr[r]);
            }
        }

        /**
         * Values that make the interesting outcomes likely: compare-and-exchange accumulators equal to
         * memory half the time, bit offsets that reach around the operand, shift counts around the
         * operand width, and REPE/REPNE string data that matches for a while.
         */
        void applyHints() {
            String family = entry.family();
            if ("cmpxchg".equals(family) && useRmMemory && !fixed[0] && chance(50)) {
                long v = memoryValue(memLinear, memSize);
                if (v >= 0) {
                    setLow(0, v, memSize);
                }
            }
            if ("cx8".equals(family) && useRmMemory && chance(50)) {
                int half = memSize / 2;
                long lo = memoryValue(memLinear, Math.min(half, 8));
                long hi = memoryValue(memLinear + half, Math.min(half, 8));
                if (lo >= 0 && hi >= 0 && !fixed[0] && !fixed[2]) {
                    setLow(0, lo, half);
                    setLow(2, hi, half);
                    if (chance(25)) {
                        gpr[2] ^= 1L << rnd.nextInt(8 * half); // differs in one bit
                    }
                }
            }
            if (bitOffsetRegister() && useRmMemory && fixed[regNum]) {
                throw new Retry("the bit offset register also addresses the operand: it would reach anywhere");
            }
            if (bitOffsetRegister() && useRmMemory) {
                long offset = rnd.nextInt(16 * 8 * 2 + memSize * 8) - 16 * 8;
                setLow(regNum, offset, osz);
            }
            for (Operand o : shape.ops) {
                if (o.method() == Method.CL && !fixed[1]) {
                    int width = 8 * shape.bytesOf(shape.ops.get(0), osz);
                    int p = rnd.nextInt(10);
                    long count = p == 0 ? 0 : p == 1 ? 1 : p < 7 ? rnd.nextInt(width + 2) : rnd.nextInt(256);
                    setLow(1, count, 1);
                }
            }
            if (entry.repeRepne() && yLinear >= 0) {
                if (xLinear >= 0 && chance(60)) {
                    for (long k = strLo; k < strHi; k++) {
                        long b = memoryByte(xLinear + k);
                        if (b >= 0) {
                            setMemoryByte(yLinear + k, (int) b);
                        }
                    }
                } else if (xLinear < 0 && chance(60)) {
                    for (long k = strLo; k < strHi; k++) {
                        long off = Math.floorMod(k, (long) memSize);
                        setMemoryByte(yLinear + k, (int) (gpr[0] >>> (8 * off)) & 0xff);
                    }
                }
                if (chance(50)) {
                    long k = strLo + rnd.nextInt((int) (strHi - strLo));
                    long b = memoryByte(yLinear + k);
                    if (b >= 0) {
                        setMemoryByte(yLinear + k, (int) b ^ (1 << rnd.nextInt(8)));
                    }
                }
            }
        }

        /** The exit's access type: a pure store's operand is written first, anything else is read first. */
        AccessType accessType() {
            if (!shape.memoryIsDestination()) {
                return AccessType.READ;
            }
            String f = entry.family();
            boolean store = f.equals("mov") || f.equals("setcc") || f.equals("movnti") || f.equals("movbe")
                    || f.equals("sse") || f.equals("avx") || "pop".equals(entry.op()) || "stos".equals(entry.op());
            return store ? AccessType.WRITE : AccessType.READ;
        }

        // ---------------------------------------------------------------- the case

        Generated finish(byte[] bytes) {
            Map<Register, RegValue> regs = new EnumMap<>(Register.class);
            int n = longMode ? 16 : 8;
            for (int r = 0; r < n; r++) {
                if (gpr[r] != 0) {
                    regs.put(Register.gpr(r), RegValue.of(gpr[r]));
                }
            }
            regs.put(Register.RIP, RegValue.of(rip));
            regs.put(Register.RFLAGS, RegValue.of(rflags));
            if (g.paging) {
                regs.put(Register.CR0, RegValue.of(CR0));
                regs.put(Register.CR3, RegValue.of(CR3));
                regs.put(Register.CR4, RegValue.of(CR4));
                regs.put(Register.EFER, RegValue.of(EFER));
            } else {
                // Paging off: real mode (ET NE), protected mode (PE ET NE AM); SSE enabled (OSFXSR OSXMMEXCPT).
                regs.put(Register.CR0, RegValue.of(mode == CpuMode.REAL16 ? 0x30 : 0x40031L));
                regs.put(Register.CR4, RegValue.of(0x600));
            }
            long trBase = 0x5000;
            if (ioTss) {
                // The TSS the KVM oracle gives the guest: limit 0x67, I/O map base 0x68 (no bitmap).
                long gpa = g.map(trBase, false, false, false);
                g.region(gpa, trBase + 0x60, new byte[] {0, 0, 0, 0, 0, 0, 0x68, 0}, false);
            }
            Register[] segs = {Register.ES, Register.CS, Register.SS, Register.DS, Register.FS, Register.GS};
            for (int s = 0; s < 6; s++) {
                g.base(s, false);
                regs.put(segs[s], RegValue.segment(g.segSel[s], g.segBase[s], (int) g.segLimit[s], g.segAttr[s]));
            }
            regs.put(Register.TR, RegValue.segment(0x30, trBase, 0x67, 0x8b));
            regs.put(Register.LDTR, RegValue.segment(0x40, 0x6000, 0x3f, 0x82));
            regs.put(Register.GDTR, RegValue.table(0x1000, 0x3f));
            regs.put(Register.IDTR, RegValue.table(0x2000, 0xfff));
            for (int i = 0; i < 16; i++) {
                if (xmm[i] != null) {
                    regs.put(Register.xmm(i), new RegValue(xmm[i][1], xmm[i][0]));
                }
            }
            List<MemRegion> mem = g.regions();
            boolean trunc = chance(9);
            Bytes insn = Bytes.of(bytes);
            if (trunc) {
                insn = Bytes.of(bytes, 0, rnd.nextInt(bytes.length));
                tags.add("trunc" + insn.length());
            }
            String id = entry.form() + "/" + mode.label() + "/" + String.format("%04d", serial);
            String variant = String.join(",", tags);
            MmioAccess access = io ? null : new MmioAccess(firstAccessGpa, firstAccessGva, firstAccessType, true);
            ExitCase.IoAccess ioAccess = null;
            List<ExitCase.PortValues> ports = List.of();
            if (io) {
                boolean write = "out".equals(entry.op()) || "outs".equals(entry.op());
                boolean string = "ins".equals(entry.op()) || "outs".equals(entry.op());
                int size = shape.portSize(osz);
                ioAccess = new ExitCase.IoAccess(port, size, write, string, repPrefix != 0);
                if (!write) {
                    long values0 = string && repPrefix != 0 ? Math.max(1, gpr[1] & (asz == 8 ? 0xff : sizeMask(asz)) & 0xff) : 1;
                    long nv = Math.min(values0, 8);
                    if (chance(10)) {
                        nv--; // a read past the list returns all ones
                    }
                    List<Long> values = new ArrayList<>();
                    for (int i = 0; i < nv; i++) {
                        values.add(rnd.nextLong() & sizeMask(size));
                    }
                    ports = List.of(new ExitCase.PortValues(port, values));
                }
            }
            ExitCase c = new ExitCase(id, entry.family(), variant, mode, io ? ExitCase.Exit.IO : ExitCase.Exit.MMIO, insn,
                    g.cpl, regs, g.paging ? List.copyOf(g.pages) : null, mem, ports, access, ioAccess, null, null);
            long mask = flagsMask();
            Meta meta = new Meta(id, entry.form(), entry.family(), mode, variant, Bytes.of(bytes), bytes.length, rip, mask,
                    List.copyOf(codeGpas), expectedFault, repPrefix != 0 && (entry.rep() || entry.repeRepne()));
            return new Generated(c, meta);
        }

        /** 0x3f7fd7 minus the form's undefined flags; shifts and rotates by a count other than 1 also OF, shifts AF. */
        long flagsMask() {
            long mask = ALL_FLAGS & ~(long) entry.flagsUndefined();
            if ("shift".equals(entry.family())) {
                long count = 1;
                for (int i = 0; i < shape.ops.size(); i++) {
                    Operand o = shape.ops.get(i);
                    if (o.method() == Method.CL) {
                        count = gpr[1] & 0xff;
                    } else if (o.method() == Method.I) {
                        count = imm[shape.immediates.indexOf(o)] & 0xff;
                    }
                }
                count &= osz == 8 ? 0x3f : 0x1f;
                if (count != 1) {
                    mask &= ~(long) Flags.OF;
                }
                if (entry.op() != null && entry.op().startsWith("s")) {
                    mask &= ~(long) Flags.AF;
                }
            }
            return mask;
        }
    }

}
