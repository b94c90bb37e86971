package dev.hvex.conformance;

/**
 * One device access: a callback reading or writing {@code size} bytes at {@code addr} of an MMIO region
 * or a port, data little-endian as a number.
 */
public record DeviceAccess(Space space, boolean write, long addr, int size, long data) {
    public enum Space {
        MMIO, IO;

        public String label() {
            return this == MMIO ? "mmio" : "io";
        }
    }

    /** {@code mmio w 0xd0000010 4 0x12345678}. */
    @Override
    public String toString() {
        return space.label() + ' ' + (write ? 'w' : 'r') + ' ' + Hex.u64(addr) + ' ' + size + ' ' + Hex.u64(data);
    }
}
