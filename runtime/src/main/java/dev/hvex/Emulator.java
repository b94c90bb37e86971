package dev.hvex;

import dev.hvex.interp.Engine;

/**
 * The instruction emulator of one virtual processor: the Java counterpart of WinHvEmulation's
 * WHvEmulatorCreateEmulator / WHvEmulatorTryMmioEmulation / WHvEmulatorTryIoEmulation /
 * WHvEmulatorDestroyEmulator.
 *
 * <p>An emulator is used by one thread at a time (one per vCPU); the returned {@link EmulatorStatus}
 * is owned by the emulator and valid until its next call. Steady-state calls allocate nothing.
 *
 * <pre>{@code
 * try (Emulator emulator = Emulator.create(myCallbacks)) {
 *     EmulatorStatus status = emulator.tryMmioEmulation(vcpu, exitContext, mmioContext);
 *     if (status.exceptionPending()) inject(status.exceptionVector(), status.exceptionErrorCode());
 * }
 * }</pre>
 */
public final class Emulator implements AutoCloseable {
    private final Engine engine;
    private final EmulatorStatus status;
    private boolean closed;

    private Emulator(EmulatorCallbacks callbacks, EmulatorOptions options) {
        this.engine = new Engine(callbacks, options);
        this.status = new EmulatorStatus(engine.outcome());
    }

    public static Emulator create(EmulatorCallbacks callbacks) {
        return create(callbacks, EmulatorOptions.defaults());
    }

    public static Emulator create(EmulatorCallbacks callbacks, EmulatorOptions options) {
        if (callbacks == null || options == null) {
            throw new NullPointerException(callbacks == null ? "callbacks" : "options");
        }
        return new Emulator(callbacks, options);
    }

    /**
     * Emulates the instruction behind a memory-access exit: decodes it (fetching missing bytes through
     * the callbacks), performs its memory accesses through {@link EmulatorCallbacks#memory}, writes back
     * registers and advances RIP.
     */
    public EmulatorStatus tryMmioEmulation(Object context, VpExitContext vp, MmioAccessContext access) {
        checkOpen();
        engine.runMmio(context, vp, access);
        return status;
    }

    /** Emulates the IN/OUT/INS/OUTS instruction behind a port-I/O exit. */
    public EmulatorStatus tryIoEmulation(Object context, VpExitContext vp, IoPortAccessContext access) {
        checkOpen();
        engine.runIo(context, vp, access);
        return status;
    }

    /** Counters of this emulator's engine and of the shared handler cache. */
    public Engine.Stats stats() {
        return engine.stats();
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("emulator is closed");
        }
    }

}
