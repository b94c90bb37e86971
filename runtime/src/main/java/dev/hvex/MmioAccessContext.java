package dev.hvex;

/** What the hypervisor reported about a memory-access exit (WHV_MEMORY_ACCESS_CONTEXT). Reusable. */
public final class MmioAccessContext {
    /** Access types (WHV_MEMORY_ACCESS_TYPE). */
    public static final int READ = 0;
    public static final int WRITE = 1;
    public static final int EXECUTE = 2;

    private final byte[] instructionBytes = new byte[16];
    private int instructionByteCount;
    private int accessType;
    private boolean gpaUnmapped;
    private boolean gvaValid;
    private long gpa;
    private long gva;

    /** The bytes at RIP the hypervisor captured (up to 16; possibly none). Returned array is the context's own. */
    public byte[] instructionBytes() {
        return instructionBytes;
    }

    public int instructionByteCount() {
        return instructionByteCount;
    }

    /** Copies {@code count} bytes (at most 16) from {@code bytes}. */
    public MmioAccessContext setInstructionBytes(byte[] bytes, int offset, int count) {
        int n = Math.min(Math.max(count, 0), 16);
        System.arraycopy(bytes, offset, instructionBytes, 0, n);
        instructionByteCount = n;
        return this;
    }

    public int accessType() {
        return accessType;
    }

    public MmioAccessContext setAccessType(int value) {
        accessType = value;
        return this;
    }

    public boolean gpaUnmapped() {
        return gpaUnmapped;
    }

    public MmioAccessContext setGpaUnmapped(boolean value) {
        gpaUnmapped = value;
        return this;
    }

    public boolean gvaValid() {
        return gvaValid;
    }

    public MmioAccessContext setGvaValid(boolean value) {
        gvaValid = value;
        return this;
    }

    public long gpa() {
        return gpa;
    }

    public MmioAccessContext setGpa(long value) {
        gpa = value;
        return this;
    }

    public long gva() {
        return gva;
    }

    public MmioAccessContext setGva(long value) {
        gva = value;
        return this;
    }
}
