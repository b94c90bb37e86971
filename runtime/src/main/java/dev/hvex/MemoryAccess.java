package dev.hvex;

/**
 * One guest-physical memory access the emulator asks the VMM to perform (WHV_EMULATOR_MEMORY_ACCESS_INFO).
 * At most 8 bytes, never crossing a 4 KiB page. The emulator reuses one instance: a callback must not keep it.
 */
public final class MemoryAccess {
    long gpa;
    boolean write;
    int size;
    long data;

    /** Fills the whole access; the emulator calls it before each callback. */
    public void set(long gpa, boolean write, int size, long data) {
        this.gpa = gpa;
        this.write = write;
        this.size = size;
        this.data = data;
    }

    public long gpa() {
        return gpa;
    }

    /** True for a write (the VMM stores {@link #data()}), false for a read (the VMM sets the data). */
    public boolean isWrite() {
        return write;
    }

    /** 1 to 8 bytes. */
    public int size() {
        return size;
    }

    /** The bytes, little-endian in the low {@code size} bytes of the long. */
    public long data() {
        return data;
    }

    /** For a read: the bytes the device returned, little-endian; bits beyond {@code size} are ignored. */
    public void setData(long value) {
        data = value;
    }

    /** Byte {@code i} of the data (0 = lowest address). */
    public int dataByte(int i) {
        return (int) (data >>> (8 * i)) & 0xff;
    }

    public void setDataByte(int i, int value) {
        long mask = 0xffL << (8 * i);
        data = (data & ~mask) | (((long) value & 0xff) << (8 * i));
    }
}
