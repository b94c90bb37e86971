package dev.hvex;

/**
 * What the VMM provides: the five callbacks of WHvEmulatorCreateEmulator. Each returns true when it
 * succeeded; false (or an exception it throws) makes the emulation fail with the matching status bit
 * and leaves the guest's registers untouched. {@code context} is the object the VMM passed to
 * {@link Emulator#tryMmioEmulation} or {@link Emulator#tryIoEmulation}, handed back unchanged.
 *
 * <p>The access and batch objects are owned by the emulator and reused from call to call.
 */
public interface EmulatorCallbacks {
    /** Performs a port read or write (WHV_EMULATOR_IO_PORT_CALLBACK). */
    boolean ioPort(Object context, IoPortAccess access);

    /** Performs a guest-physical memory read or write (WHV_EMULATOR_MEMORY_CALLBACK). */
    boolean memory(Object context, MemoryAccess access);

    /** Fills the value of every register named in the batch (WHV_EMULATOR_GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK). */
    boolean getRegisters(Object context, RegisterValues registers);

    /** Stores every register of the batch (WHV_EMULATOR_SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK). */
    boolean setRegisters(Object context, RegisterValues registers);

    /**
     * Translates the page of a guest-virtual address, checking the access the flags name
     * (WHV_EMULATOR_TRANSLATE_GVA_PAGE_CALLBACK). {@code gvaPage} is 4 KiB aligned.
     */
    boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result);
}
