package dev.hvex;

/** A segment register's hidden state (WHV_X64_SEGMENT_REGISTER). Mutable, so contexts can be reused. */
public final class Segment {
    private long base;
    private int limit;
    private int selector;
    private int attributes;

    public Segment set(long base, int limit, int selector, int attributes) {
        this.base = base;
        this.limit = limit;
        this.selector = selector & 0xffff;
        this.attributes = attributes & 0xffff;
        return this;
    }

    public long base() {
        return base;
    }

    /** Byte-granular effective limit. */
    public int limit() {
        return limit;
    }

    public int selector() {
        return selector;
    }

    /** Access rights: type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15. */
    public int attributes() {
        return attributes;
    }
}
