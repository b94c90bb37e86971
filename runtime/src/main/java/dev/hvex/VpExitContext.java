package dev.hvex;

/**
 * The virtual processor's state at the exit (WHV_VP_EXIT_CONTEXT): execution state, instruction
 * length, CS, RIP and RFLAGS. The VMM fills one instance per vCPU and reuses it.
 */
public final class VpExitContext {
    private int cpl;
    private boolean cr0Pe;
    private boolean cr0Am;
    private boolean eferLma;
    private boolean debugActive;
    private boolean interruptionPending;
    private boolean interruptShadow;
    private int instructionLength;
    private final Segment cs = new Segment();
    private long rip;
    private long rflags;

    public int cpl() {
        return cpl;
    }

    public VpExitContext setCpl(int cpl) {
        this.cpl = cpl & 3;
        return this;
    }

    public boolean cr0Pe() {
        return cr0Pe;
    }

    public VpExitContext setCr0Pe(boolean value) {
        cr0Pe = value;
        return this;
    }

    public boolean cr0Am() {
        return cr0Am;
    }

    public VpExitContext setCr0Am(boolean value) {
        cr0Am = value;
        return this;
    }

    public boolean eferLma() {
        return eferLma;
    }

    public VpExitContext setEferLma(boolean value) {
        eferLma = value;
        return this;
    }

    public boolean debugActive() {
        return debugActive;
    }

    public VpExitContext setDebugActive(boolean value) {
        debugActive = value;
        return this;
    }

    /** An event was being delivered when the exit happened: emulating now would lose it. */
    public boolean interruptionPending() {
        return interruptionPending;
    }

    public VpExitContext setInterruptionPending(boolean value) {
        interruptionPending = value;
        return this;
    }

    public boolean interruptShadow() {
        return interruptShadow;
    }

    public VpExitContext setInterruptShadow(boolean value) {
        interruptShadow = value;
        return this;
    }

    /** The instruction's length if the hypervisor knows it, else 0. */
    public int instructionLength() {
        return instructionLength;
    }

    public VpExitContext setInstructionLength(int value) {
        instructionLength = value;
        return this;
    }

    /** The code segment; set its fields with {@link Segment#set}. */
    public Segment cs() {
        return cs;
    }

    public long rip() {
        return rip;
    }

    public VpExitContext setRip(long value) {
        rip = value;
        return this;
    }

    public long rflags() {
        return rflags;
    }

    public VpExitContext setRflags(long value) {
        rflags = value;
        return this;
    }

    /** The mode these fields select. */
    public CpuMode mode() {
        return CpuMode.of(cr0Pe, eferLma, (rflags & (1L << 17)) != 0, cs.attributes());
    }
}
