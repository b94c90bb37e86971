package dev.hvex.jit;

import dev.hvex.CpuMode;
import dev.hvex.decode.DecodedInstruction;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The JVM-wide cache of instructions and their handlers, shared by every emulator and safe for many
 * vCPU threads without locks on the lookup path.
 *
 * <pre>
 *   exit table: (mode, byte count, the 16 reported bytes) -> Profile      lookup on every exit
 *   instruction table: (mode, length, the instruction's bytes) -> Profile   on a miss only
 * </pre>
 *
 * <p>An exit reports up to 16 bytes, more than the instruction, so the hot lookup keys on all of them
 * (two longs compared, no decoding); the instruction table, keyed on the exact instruction, is what
 * lets the same bytes at another RIP find the same profile and handler. Both tables are two-way
 * set-associative arrays of immutable entries: a racing reader sees an old or a new entry, never a
 * torn one, and a replaced entry is simply gone (evicted), which makes its hidden class unreachable
 * and unloadable once no thread runs it. Memory is bounded by the two table sizes.
 */
public final class HandlerCache {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final HandlerCache SHARED = new HandlerCache(Integer.getInteger("hvex.cache.entries", 4096));

    /** An exit key and its profile; immutable, so it can be published by a plain array store. */
    private static final class ExitEntry {
        final int modeAndCount;
        final long key0;
        final long key1;
        final Profile profile;

        ExitEntry(int modeAndCount, long key0, long key1, Profile profile) {
            this.modeAndCount = modeAndCount;
            this.key0 = key0;
            this.key1 = key1;
            this.profile = profile;
        }
    }

    private final ExitEntry[] exits;
    private final Profile[] instructions;
    private final int mask;
    private final LongAdder misses = new LongAdder();
    private final LongAdder profilesCreated = new LongAdder();
    private final LongAdder specializations = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder specializationNanos = new LongAdder();

    /** A cache of {@code entries} exits and as many instructions (rounded up to a power of two, at least 2). */
    public HandlerCache(int entries) {
        int n = Integer.highestOneBit(Math.max(2, entries - 1)) << 1;
        exits = new ExitEntry[n];
        instructions = new Profile[n];
        mask = n - 1;
    }

    public static HandlerCache shared() {
        return SHARED;
    }

    public int capacity() {
        return exits.length;
    }

    /** Exits that found no profile (the interpreter decoded them). */
    public long misses() {
        return misses.sum();
    }

    public long profilesCreated() {
        return profilesCreated.sum();
    }

    public long specializations() {
        return specializations.sum();
    }

    /** Entries replaced by newer ones, in either table. */
    public long evictions() {
        return evictions.sum();
    }

    /** Total time spent specializing, in nanoseconds. */
    public long specializationNanos() {
        return specializationNanos.sum();
    }

    private static int hash(long a, long b, int extra) {
        long h = a * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(b * 0xC2B2AE3D27D4EB4FL, 31) ^ extra * 0x165667B1L;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    /** The low key of an exit: its first 8 reported bytes, little-endian, bytes past {@code count} zeroed. */
    public static long keyLow(byte[] bytes16, int count) {
        long k = (long) LONGS.get(bytes16, 0);
        return count >= 8 ? k : count <= 0 ? 0 : k & ((1L << (8 * count)) - 1);
    }

    /** The high key of an exit: its reported bytes 8-15, bytes past {@code count} zeroed. */
    public static long keyHigh(byte[] bytes16, int count) {
        long k = (long) LONGS.get(bytes16, 8);
        return count >= 16 ? k : count <= 8 ? 0 : k & ((1L << (8 * (count - 8))) - 1);
    }

    /** The profile of the exit's bytes ({@link #keyLow}, {@link #keyHigh}), or null. Allocates nothing. */
    public Profile lookup(CpuMode mode, long k0, long k1, int count) {
        int mc = mode.ordinal() << 8 | count;
        int i = hash(k0, k1, mc) & mask;
        ExitEntry e = exits[i];
        if (e != null && e.key0 == k0 && e.key1 == k1 && e.modeAndCount == mc) {
            return e.profile;
        }
        e = exits[i ^ 1];
        if (e != null && e.key0 == k0 && e.key1 == k1 && e.modeAndCount == mc) {
            return e.profile;
        }
        misses.increment();
        return null;
    }

    /**
     * Counts one interpreted execution of {@code d} and returns its profile (creating it on first sight),
     * with a handler once the profile has run more than {@code threshold} times.
     */
    public Profile record(Profile profile, CpuMode mode, long k0, long k1, int count, DecodedInstruction d,
                          int gprMask, int segMask, int xmmMask, int ymmMask, boolean cr0, int threshold) {
        if (profile == null) {
            long e0 = d.length >= 8 ? k0 : k0 & ((1L << (8 * d.length)) - 1);
            long e1 = d.length >= 16 ? k1 : d.length <= 8 ? 0 : k1 & ((1L << (8 * (d.length - 8))) - 1);
            int ml = mode.ordinal() << 8 | d.length;
            int j = hash(e0, e1, ml) & mask;
            profile = matchInstruction(j, mode, d.length, e0, e1);
            if (profile == null) {
                profile = matchInstruction(j ^ 1, mode, d.length, e0, e1);
            }
            if (profile == null) {
                profile = new Profile(mode, d.length, e0, e1, d, gprMask, segMask, xmmMask, ymmMask, cr0);
                profilesCreated.increment();
                store(instructions, j, profile);
            }
            int mc = mode.ordinal() << 8 | count;
            store(exits, hash(k0, k1, mc) & mask, new ExitEntry(mc, k0, k1, profile));
        }
        if (profile.handler == null && ++profile.hits > threshold) {
            synchronized (profile) {
                if (profile.handler == null) {
                    long t0 = System.nanoTime();
                    profile.handler = Specializer.specialize(profile);
                    specializationNanos.add(System.nanoTime() - t0);
                    specializations.increment();
                }
            }
        }
        return profile;
    }

    private Profile matchInstruction(int j, CpuMode mode, int length, long e0, long e1) {
        Profile p = instructions[j];
        return p != null && p.key0 == e0 && p.key1 == e1 && p.length == length && p.mode == mode ? p : null;
    }

    /** Puts an entry in the free way of its set, or replaces one (an eviction). */
    private <T> void store(T[] table, int i, T entry) {
        if (table[i] == null) {
            table[i] = entry;
        } else if (table[i ^ 1] == null) {
            table[i ^ 1] = entry;
        } else {
            evictions.increment();
            table[(System.identityHashCode(entry) & 1) == 0 ? i : i ^ 1] = entry;
        }
    }

    /** Empties both tables (handlers become unreachable). */
    public void clear() {
        java.util.Arrays.fill(exits, null);
        java.util.Arrays.fill(instructions, null);
    }
}
