package dev.hvex;

/**
 * A batch of register names and their values, handed to the get and set register callbacks.
 * The emulator owns its batches and reuses them on every call (keeping the names while the same
 * instruction repeats), so a callback must not keep a batch or change its names or size: it reads the
 * names and sets (get) or reads (set) the values. A callback that loops over {@link #count()} is the
 * fastest kind: the emulator sets the size just before each call, so the JIT can unroll that loop.
 *
 * <p>Each value is two longs laid out by the register's {@link Register.Kind}; the static helpers
 * pack and unpack segments so that no callback needs to know the bit positions.
 */
public final class RegisterValues {
    private final Register[] names;
    private final long[] low;
    private final long[] high;
    private int count;

    public RegisterValues(int capacity) {
        names = new Register[capacity];
        low = new long[capacity];
        high = new long[capacity];
    }

    public int count() {
        return count;
    }

    public Register name(int i) {
        return names[i];
    }

    public long low(int i) {
        return low[i];
    }

    public long high(int i) {
        return high[i];
    }

    /** Sets the value of entry {@code i}: a get callback fills every entry this way. */
    public void set(int i, long lowValue, long highValue) {
        low[i] = lowValue;
        high[i] = highValue;
    }

    /** Sets a segment entry. */
    public void setSegment(int i, long base, int limit, int selector, int attributes) {
        low[i] = base;
        high[i] = packSegment(limit, selector, attributes);
    }

    /**
     * Keeps the first {@code n} entries. The emulator's specialized handlers re-assert the size of their
     * batch on every exit with a constant, so that the JIT, inlining a callback, sees its loop's trip
     * count and unrolls it.
     */
    public void setCount(int n) {
        if (n < 0 || n > names.length) {
            throw new IndexOutOfBoundsException("batch size " + n + " outside 0.." + names.length);
        }
        count = n;
    }

    public void clear() {
        count = 0;
    }

    /**
     * Replaces the batch with {@code names} (values left as they are: a get callback sets every one).
     * The emulator's cached instructions use it to avoid rebuilding the list on every exit.
     */
    public void setNames(Register[] names) {
        Register[] mine = this.names;
        for (int i = 0; i < names.length; i++) { // a loop: arraycopy costs more for two or three names
            mine[i] = names[i];
        }
        count = names.length;
    }

    /** Appends a name with a zero value; returns its index. */
    public int add(Register name) {
        names[count] = name;
        low[count] = 0;
        high[count] = 0;
        return count++;
    }

    /** Appends a name and a value; returns its index. */
    public int add(Register name, long lowValue, long highValue) {
        int i = add(name);
        low[i] = lowValue;
        high[i] = highValue;
        return i;
    }

    /** The index of {@code name} in this batch, or -1. */
    public int indexOf(Register name) {
        for (int i = 0; i < count; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        return -1;
    }

    public static long packSegment(int limit, int selector, int attributes) {
        return (limit & 0xffffffffL) | ((long) (selector & 0xffff) << 32) | ((long) (attributes & 0xffff) << 48);
    }

    public static int segmentLimit(long high) {
        return (int) high;
    }

    public static int segmentSelector(long high) {
        return (int) (high >>> 32) & 0xffff;
    }

    public static int segmentAttributes(long high) {
        return (int) (high >>> 48) & 0xffff;
    }
}
