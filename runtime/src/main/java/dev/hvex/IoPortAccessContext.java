package dev.hvex;

/** What the hypervisor reported about a port-I/O exit (WHV_X64_IO_PORT_ACCESS_CONTEXT). Reusable. */
public final class IoPortAccessContext {
    private final byte[] instructionBytes = new byte[16];
    private int instructionByteCount;
    private boolean write;
    private int accessSize;
    private boolean stringOp;
    private boolean repPrefix;
    private int port;
    private long rax;
    private long rcx;
    private long rsi;
    private long rdi;
    private final Segment ds = new Segment();
    private final Segment es = new Segment();

    public byte[] instructionBytes() {
        return instructionBytes;
    }

    public int instructionByteCount() {
        return instructionByteCount;
    }

    public IoPortAccessContext setInstructionBytes(byte[] bytes, int offset, int count) {
        int n = Math.min(Math.max(count, 0), 16);
        System.arraycopy(bytes, offset, instructionBytes, 0, n);
        instructionByteCount = n;
        return this;
    }

    public boolean isWrite() {
        return write;
    }

    public IoPortAccessContext setWrite(boolean value) {
        write = value;
        return this;
    }

    /** 1, 2 or 4. */
    public int accessSize() {
        return accessSize;
    }

    public IoPortAccessContext setAccessSize(int value) {
        accessSize = value;
        return this;
    }

    public boolean stringOp() {
        return stringOp;
    }

    public IoPortAccessContext setStringOp(boolean value) {
        stringOp = value;
        return this;
    }

    public boolean repPrefix() {
        return repPrefix;
    }

    public IoPortAccessContext setRepPrefix(boolean value) {
        repPrefix = value;
        return this;
    }

    public int port() {
        return port;
    }

    public IoPortAccessContext setPort(int value) {
        port = value & 0xffff;
        return this;
    }

    public long rax() {
        return rax;
    }

    public IoPortAccessContext setRax(long value) {
        rax = value;
        return this;
    }

    public long rcx() {
        return rcx;
    }

    public IoPortAccessContext setRcx(long value) {
        rcx = value;
        return this;
    }

    public long rsi() {
        return rsi;
    }

    public IoPortAccessContext setRsi(long value) {
        rsi = value;
        return this;
    }

    public long rdi() {
        return rdi;
    }

    public IoPortAccessContext setRdi(long value) {
        rdi = value;
        return this;
    }

    public Segment ds() {
        return ds;
    }

    public Segment es() {
        return es;
    }
}
