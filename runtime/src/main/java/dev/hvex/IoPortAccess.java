package dev.hvex;

/**
 * One port access the emulator asks the VMM to perform (WHV_EMULATOR_IO_ACCESS_INFO).
 * The emulator reuses one instance: a callback must not keep it.
 */
public final class IoPortAccess {
    int port;
    boolean write;
    int size;
    int data;

    /** Fills the whole access; the emulator calls it before each callback. */
    public void set(int port, boolean write, int size, int data) {
        this.port = port;
        this.write = write;
        this.size = size;
        this.data = data;
    }

    public int port() {
        return port;
    }

    public boolean isWrite() {
        return write;
    }

    /** 1, 2 or 4 bytes. */
    public int size() {
        return size;
    }

    /** The value written, or for a read the value the VMM set; low {@code size} bytes count. */
    public int data() {
        return data;
    }

    public void setData(int value) {
        data = value;
    }
}
