package dev.hvex;

import dev.hvex.interp.Engine;

/**
 * The outcome of one emulation: the WHV_EMULATOR_STATUS bits, plus hvex's extension, the exception the
 * VMM should inject when the instruction faults. Each {@link Emulator} owns one instance and returns it
 * from every call, so reading it allocates nothing; it is valid until that emulator's next call.
 */
public final class EmulatorStatus {
    public static final int EMULATION_SUCCESSFUL = 1;
    public static final int INTERNAL_EMULATION_FAILURE = 1 << 1;
    public static final int IO_PORT_CALLBACK_FAILED = 1 << 2;
    public static final int MEMORY_CALLBACK_FAILED = 1 << 3;
    public static final int TRANSLATE_GVA_PAGE_CALLBACK_FAILED = 1 << 4;
    public static final int TRANSLATE_GVA_PAGE_CALLBACK_GPA_IS_NOT_ALIGNED = 1 << 5;
    public static final int GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED = 1 << 6;
    public static final int SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED = 1 << 7;
    public static final int INTERRUPT_CAUSED_INTERCEPT = 1 << 8;
    public static final int GUEST_CANNOT_BE_FAULTED = 1 << 9;
    /**
     * hvex: the instruction faults; {@link #exceptionVector()} and friends say what to inject. Set together
     * with {@link #GUEST_CANNOT_BE_FAULTED}, WHv's bit for "the guest must take a fault the emulator
     * cannot deliver itself".
     */
    public static final int EXCEPTION_PENDING = 1 << 16;

    /** Why an emulation ended without success and without an exception. */
    public enum Reason {
        NONE,
        /** The bytes form an instruction hvex decodes but has no semantics for. */
        UNSUPPORTED_INSTRUCTION,
        /** The instruction cannot have caused this exit (another vCPU rewrote it, or a wrong context). */
        EXIT_MISMATCH,
        /** An event was being delivered at the exit; emulating now would lose it. */
        INTERRUPTION_PENDING,
        /** A callback failed; the status bit names which. */
        CALLBACK_FAILED,
        /** hvex itself failed (a bug): nothing was changed; please report the exit. */
        INTERNAL_ERROR
    }

    /** The engine's record of its last emulation: this status reads it, so nothing is copied per exit. */
    private final Engine.Outcome outcome;

    EmulatorStatus(Engine.Outcome outcome) {
        this.outcome = outcome;
    }

    /** The status word with WHV_EMULATOR_STATUS's bit layout (hvex's extension bits above bit 15). */
    public int bits() {
        return outcome.bits;
    }

    public boolean emulationSuccessful() {
        return (outcome.bits & EMULATION_SUCCESSFUL) != 0;
    }

    public boolean internalEmulationFailure() {
        return (outcome.bits & INTERNAL_EMULATION_FAILURE) != 0;
    }

    public boolean ioPortCallbackFailed() {
        return (outcome.bits & IO_PORT_CALLBACK_FAILED) != 0;
    }

    public boolean memoryCallbackFailed() {
        return (outcome.bits & MEMORY_CALLBACK_FAILED) != 0;
    }

    public boolean translateGvaPageCallbackFailed() {
        return (outcome.bits & TRANSLATE_GVA_PAGE_CALLBACK_FAILED) != 0;
    }

    public boolean translateGvaPageCallbackGpaIsNotAligned() {
        return (outcome.bits & TRANSLATE_GVA_PAGE_CALLBACK_GPA_IS_NOT_ALIGNED) != 0;
    }

    public boolean getVirtualProcessorRegistersCallbackFailed() {
        return (outcome.bits & GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED) != 0;
    }

    public boolean setVirtualProcessorRegistersCallbackFailed() {
        return (outcome.bits & SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED) != 0;
    }

    public boolean interruptCausedIntercept() {
        return (outcome.bits & INTERRUPT_CAUSED_INTERCEPT) != 0;
    }

    public boolean guestCannotBeFaulted() {
        return (outcome.bits & GUEST_CANNOT_BE_FAULTED) != 0;
    }

    public boolean exceptionPending() {
        return (outcome.bits & EXCEPTION_PENDING) != 0;
    }

    /** The vector to inject (0 #DE, 6 #UD, 12 #SS, 13 #GP, 14 #PF, 17 #AC), or -1. */
    public int exceptionVector() {
        return outcome.vector;
    }

    public boolean exceptionHasErrorCode() {
        return outcome.hasErrorCode;
    }

    public int exceptionErrorCode() {
        return outcome.errorCode;
    }

    /** For #PF: the faulting linear address, to put in CR2. */
    public long exceptionCr2() {
        return outcome.cr2;
    }

    public Reason reason() {
        return outcome.reason;
    }

    /** The generated form id of the instruction involved, or -1 when none was decoded. */
    public int formId() {
        return outcome.formId;
    }

    /** A one-line explanation for logs: which instruction and why. Allocates; not for the hot path. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (emulationSuccessful()) {
            sb.append("success");
        } else if (exceptionPending()) {
            sb.append("exception ").append(vectorName(outcome.vector));
            if (outcome.hasErrorCode) {
                sb.append(" error 0x").append(Integer.toHexString(outcome.errorCode));
            }
            if (outcome.vector == 14) {
                sb.append(" cr2 0x").append(Long.toHexString(outcome.cr2));
            }
        } else {
            sb.append("failed");
            for (int bit = 1; bit <= 9; bit++) {
                if ((outcome.bits & (1 << bit)) != 0) {
                    sb.append(' ').append(BIT_NAMES[bit]);
                }
            }
            if (outcome.reason != Reason.NONE) {
                sb.append(": ").append(outcome.reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            }
        }
        if (outcome.formId >= 0) {
            sb.append(" [").append(dev.hvex.gen.Forms.name(outcome.formId)).append(']');
        }
        return sb.toString();
    }

    private static final String[] BIT_NAMES = {
        "EmulationSuccessful", "InternalEmulationFailure", "IoPortCallbackFailed", "MemoryCallbackFailed",
        "TranslateGvaPageCallbackFailed", "TranslateGvaPageCallbackGpaIsNotAligned",
        "GetVirtualProcessorRegistersCallbackFailed", "SetVirtualProcessorRegistersCallbackFailed",
        "InterruptCausedIntercept", "GuestCannotBeFaulted"
    };

    /** #DE, #UD, #GP ... for a vector number. */
    public static String vectorName(int vector) {
        switch (vector) {
            case 0: return "#DE";
            case 1: return "#DB";
            case 5: return "#BR";
            case 6: return "#UD";
            case 7: return "#NM";
            case 10: return "#TS";
            case 11: return "#NP";
            case 12: return "#SS";
            case 13: return "#GP";
            case 14: return "#PF";
            case 16: return "#MF";
            case 17: return "#AC";
            case 19: return "#XM";
            default: return "vector " + vector;
        }
    }
}
