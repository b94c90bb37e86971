package dev.hvex.jit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.CpuMode;
import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Families;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The two tiers on a large random corpus: a pool of random instructions of every executed family, each
 * run many times against random register states, memory contents and translations, once by the
 * interpreter and once by its cached (and, for the emitting families, specialized) handler. Status,
 * exception, every register and every callback must be identical.
 */
class RandomDifferentialTest {
    private static final int POOL = 3000;
    private static final int RUNS = 1_000_000;
    private static final CpuMode[] MODES = {CpuMode.LONG64, CpuMode.COMPAT32, CpuMode.PROT32, CpuMode.REAL16};

    /** A VMM whose memory is a pure function of the address and whose every callback folds into a hash. */
    static final class HashingVmm implements EmulatorCallbacks {
        final long[] lo = new long[Register.count()];
        final long[] hi = new long[Register.count()];
        long hash = 17;
        long seed;

        void reset(long seed, SplittableRandom rnd, CpuMode mode) {
            this.seed = seed;
            hash = 17;
            java.util.Arrays.fill(lo, 0);
            java.util.Arrays.fill(hi, 0);
            for (int r = 0; r < 16; r++) {
                long v = rnd.nextLong();
                // small values too, so addresses often land in ordinary places
                lo[r] = switch (rnd.nextInt(4)) {
                    case 0 -> v & 0xff;
                    case 1 -> v & 0xffff;
                    case 2 -> v & 0x7fff_ffffL;
                    default -> v;
                };
            }
            int attr = mode == CpuMode.REAL16 ? 0x93 : 0xc093;
            for (Register s : new Register[] {Register.ES, Register.SS, Register.DS, Register.FS, Register.GS}) {
                lo[s.ordinal()] = rnd.nextInt(4) == 0 ? rnd.nextLong() & 0xffff0 : 0;
                hi[s.ordinal()] = RegisterValues.packSegment(mode == CpuMode.REAL16 ? 0xffff : -1, 0x10, attr);
            }
            for (int x = 0; x < 16; x++) {
                lo[Register.xmm(x).ordinal()] = rnd.nextLong();
                hi[Register.xmm(x).ordinal()] = rnd.nextLong();
                lo[Register.ymmHigh(x).ordinal()] = rnd.nextLong();
                hi[Register.ymmHigh(x).ordinal()] = rnd.nextLong();
            }
            lo[Register.CR0.ordinal()] = rnd.nextBoolean() ? 0x80000011L : 0x11L;
        }

        private void fold(long v) {
            hash = hash * 31 + v;
        }

        @Override
        public boolean ioPort(Object context, IoPortAccess a) {
            fold(a.port() * 7L + a.size() + (a.isWrite() ? a.data() * 3L : 1));
            if (!a.isWrite()) {
                a.setData((int) (seed ^ a.port()));
            }
            return (seed & 0x3ff) != 1;
        }

        @Override
        public boolean memory(Object context, MemoryAccess a) {
            fold(a.gpa() * 5 + a.size() + (a.isWrite() ? a.data() : 11));
            if (!a.isWrite()) {
                long x = (a.gpa() ^ seed) * 0x9E3779B97F4A7C15L;
                a.setData(x ^ (x >>> 29));
            }
            return (seed & 0x3ff) != 2;
        }

        @Override
        public boolean getRegisters(Object context, RegisterValues b) {
            for (int i = 0; i < b.count(); i++) {
                fold(b.name(i).ordinal());
                b.set(i, lo[b.name(i).ordinal()], hi[b.name(i).ordinal()]);
            }
            return (seed & 0x3ff) != 3;
        }

        @Override
        public boolean setRegisters(Object context, RegisterValues b) {
            for (int i = 0; i < b.count(); i++) {
                fold(b.name(i).ordinal() * 13L + b.low(i) + b.high(i));
                lo[b.name(i).ordinal()] = b.low(i);
                hi[b.name(i).ordinal()] = b.high(i);
            }
            return (seed & 0x3ff) != 4;
        }

        @Override
        public boolean translateGvaPage(Object context, long gvaPage, int flags, GvaTranslation result) {
            fold(gvaPage + flags);
            long h = (gvaPage ^ seed) * 0xC2B2AE3D27D4EB4FL;
            int code = (h >>> 60) == 0 ? GvaTranslation.PAGE_NOT_PRESENT
                : (h >>> 60) == 1 ? GvaTranslation.PRIVILEGE_VIOLATION : GvaTranslation.SUCCESS;
            result.set(code, (h & 0xf_ffff_f000L));
            return (seed & 0x3ff) != 5;
        }
    }

    record Insn(CpuMode mode, byte[] bytes) {
    }

    @Test
    void tiersAgreeOnAMillionRandomExits() {
        SplittableRandom rnd = new SplittableRandom(0x5eed);
        List<Insn> pool = pool(rnd);
        HashingVmm a = new HashingVmm();
        HashingVmm b = new HashingVmm();
        HandlerCache cache = new HandlerCache(1 << 13);
        EmulatorOptions options = EmulatorOptions.defaults().withVerifyExits(false).withRepBudget(16);
        VpExitContext vp = new VpExitContext();
        MmioAccessContext mmio = new MmioAccessContext().setAccessType(MmioAccessContext.WRITE);
        int specializedRuns = 0;
        List<String> mismatches = new ArrayList<>();
        try (Emulator interp = Emulator.create(a, options.withSpecialize(false));
             Emulator jit = Emulator.create(b, options.withCache(cache).withSpecializeThreshold(1))) {
            for (int run = 0; run < RUNS && mismatches.size() < 10; run++) {
                Insn insn = pool.get(rnd.nextInt(pool.size()));
                long seed = rnd.nextLong();
                context(vp, insn.mode(), rnd);
                mmio.setInstructionBytes(insn.bytes(), 0, insn.bytes().length);
                a.reset(seed, new SplittableRandom(seed), insn.mode());
                b.reset(seed, new SplittableRandom(seed), insn.mode());
                EmulatorStatus sa = interp.tryMmioEmulation(null, vp, mmio);
                String wantStatus = sa.bits() + "/" + sa.exceptionVector() + "/" + sa.exceptionErrorCode() + "/" + sa.exceptionCr2();
                long before = jit.stats().cachedRuns;
                EmulatorStatus sb = jit.tryMmioEmulation(null, vp, mmio);
                specializedRuns += jit.stats().cachedRuns > before ? 1 : 0;
                String gotStatus = sb.bits() + "/" + sb.exceptionVector() + "/" + sb.exceptionErrorCode() + "/" + sb.exceptionCr2();
                if (!wantStatus.equals(gotStatus) || a.hash != b.hash || !java.util.Arrays.equals(a.lo, b.lo)
                    || !java.util.Arrays.equals(a.hi, b.hi)) {
                    mismatches.add(insn.mode().label() + " " + hex(insn.bytes()) + " seed " + seed + ": interpreter "
                        + sa.describe() + ", cached " + sb.describe());
                }
            }
        }
        assertThat(mismatches).as("runs where the tiers disagree").isEmpty();
        assertThat(specializedRuns).as("runs that took the cached path").isGreaterThan(RUNS / 2);
        assertThat(cache.specializations()).isGreaterThan(1000);
        assertThat(Specializer.rejectedClasses()).isZero();
    }

    private static void context(VpExitContext vp, CpuMode mode, SplittableRandom rnd) {
        long flags = 0x2 | (rnd.nextLong() & 0x8d5) | (rnd.nextInt(8) == 0 ? 0x400 : 0);
        vp.setRflags(flags).setRip(rnd.nextLong() & 0xffff).setCpl(0).setCr0Am(false).setInterruptionPending(false);
        switch (mode) {
            case LONG64 -> {
                vp.setCr0Pe(true).setEferLma(true);
                vp.cs().set(0, -1, 0x8, 0xa09b);
            }
            case COMPAT32 -> {
                vp.setCr0Pe(true).setEferLma(true);
                vp.cs().set(0, -1, 0x8, 0xc09b);
            }
            case PROT32 -> {
                vp.setCr0Pe(true).setEferLma(false);
                vp.cs().set(0, -1, 0x8, 0xc09b);
            }
            default -> {
                vp.setCr0Pe(false).setEferLma(false);
                vp.cs().set(0, 0xffff, 0, 0x9b);
            }
        }
    }

    /** Random byte strings that decode to executed forms, in every family, across the modes. */
    private static List<Insn> pool(SplittableRandom rnd) {
        List<Insn> pool = new ArrayList<>();
        int[] perFamily = new int[Families.COUNT];
        DecodedInstruction d = new DecodedInstruction();
        byte[] prefixes = {0x66, 0x67, (byte) 0xf0, (byte) 0xf2, (byte) 0xf3, 0x2e, 0x26, 0x64, 0x65, 0x48, 0x41, 0x4c};
        int attempts = 0;
        while (pool.size() < POOL && attempts++ < 2_000_000) {
            CpuMode mode = MODES[rnd.nextInt(MODES.length)];
            byte[] b = new byte[15];
            rnd.nextBytes(b);
            int p = 0;
            int np = rnd.nextInt(3);
            for (int i = 0; i < np; i++) {
                b[p++] = prefixes[rnd.nextInt(prefixes.length)];
            }
            int map = rnd.nextInt(8);
            if (map < 4) {
                b[p] = 0x0f; // half the time, the two-byte map
            } else if (map == 4) {
                b[p] = 0x0f;
                b[p + 1] = 0x38;
            } else if (map == 5) {
                b[p] = (byte) 0xc5; // VEX moves
                b[p + 1] = (byte) (0xf8 | (b[p + 1] & 0x87));
            }
            if (Decoder.decode(b, 0, b.length, mode, d) != DecodeStatus.OK || d.family < 0) {
                continue;
            }
            if (perFamily[d.family] >= 150) {
                continue; // keep the pool spread over the families
            }
            perFamily[d.family]++;
            byte[] exact = java.util.Arrays.copyOf(b, Math.min(16, d.length + rnd.nextInt(4)));
            pool.add(new Insn(mode, exact));
        }
        for (int f = 0; f < Families.COUNT; f++) {
            assertThat(perFamily[f]).as("random instructions of family %s", Families.name(f)).isPositive();
        }
        return pool;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
