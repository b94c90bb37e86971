package dev.hvex.hostile;

import dev.hvex.CpuMode;
import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.Register;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.jit.HandlerCache;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a {@link Scenario} through the public API and checks what hvex promises about any input (see
 * SECURITY.md): nothing escapes, the status is one of the defined outcomes, device accesses are at most
 * 8 bytes within a page, a failed or faulting emulation writes no registers (REP progress excepted), a
 * faulting non-REP instruction wrote nothing to a device, the work is bounded by the REP budget, and
 * the interpreter, the specialized tier, the cached path and an emulator with history all agree.
 */
final class Harness {
    private Harness() {
    }

    /** A status, copied (the emulator's own instance is reused). */
    static final class Result {
        int bits;
        int vector;
        boolean hasErrorCode;
        int errorCode;
        long cr2;
        EmulatorStatus.Reason reason;
        String describe;
        HostileVmm vmm;
        Throwable thrown;

        String key() {
            return "bits=" + Integer.toHexString(bits) + " vector=" + vector + " ec=" + hasErrorCode + "/"
                + Integer.toHexString(errorCode) + " cr2=" + Long.toHexString(cr2) + " reason=" + reason;
        }
    }

    static Result run(Emulator emulator, Scenario s) {
        HostileVmm vmm = new HostileVmm(s);
        Result r = new Result();
        r.vmm = vmm;
        try {
            EmulatorStatus st = s.io
                ? emulator.tryIoEmulation(vmm, s.exit(), s.ioContext())
                : emulator.tryMmioEmulation(vmm, s.exit(), s.mmio());
            r.bits = st.bits();
            r.vector = st.exceptionVector();
            r.hasErrorCode = st.exceptionHasErrorCode();
            r.errorCode = st.exceptionErrorCode();
            r.cr2 = st.exceptionCr2();
            r.reason = st.reason();
            r.describe = st.describe();
        } catch (Throwable t) {
            r.thrown = t;
        }
        return r;
    }

    /** A warm-up that leaves an engine with state from another mode (CR0.PG=1, segments, translations). */
    static final byte[] WARM_UP = Scenario.builder().mode(CpuMode.PROT32).paging(true).insn("894708").build();

    /** A shared cache across inputs: small, so entries evict, and history must not change results. */
    static final HandlerCache SHARED_SMALL = new HandlerCache(32);

    /** Runs every tier and returns the violations (empty: the scenario passed). */
    static List<String> check(byte[] data) {
        Scenario s = new Scenario(data);
        List<String> v = new ArrayList<>();
        EmulatorOptions base = EmulatorOptions.defaults().withRepBudget(s.repBudget);

        Result interp;
        try (Emulator e = Emulator.create(ByContext.INSTANCE, base.withSpecialize(false))) {
            interp = run(e, s);
        }
        checkOne("interpreter", s, interp, v);

        // The same emulator after another exit: no state may leak from one emulation into the next.
        if (!(KnownBugs.VM86_STALE_CR0 && s.mode == CpuMode.VM86)) {
            try (Emulator e = Emulator.create(ByContext.INSTANCE, base.withSpecialize(false))) {
                run(e, new Scenario(WARM_UP));
                Result dirty = run(e, s);
                compare("interpreter after another exit", interp, dirty, v);
            }
        }

        // The specialized tier: threshold 0, so the first run already uses the handler; the second run
        // takes the cached path (no decode).
        HandlerCache cache = new HandlerCache(16);
        try (Emulator e = Emulator.create(ByContext.INSTANCE, base.withCache(cache).withSpecializeThreshold(0))) {
            Result first = run(e, s);
            compare("specialized", interp, first, v);
            Result cached = run(e, s);
            compare("cached", interp, cached, v);
        }

        // A small cache shared by every input of the run: collisions and evictions must be invisible.
        try (Emulator e = Emulator.create(ByContext.INSTANCE, base.withCache(SHARED_SMALL).withSpecializeThreshold(1))) {
            compare("shared cache", interp, run(e, s), v);
            compare("shared cache again", interp, run(e, s), v);
        }
        return v;
    }

    static void compare(String tier, Result expected, Result got, List<String> v) {
        if (got.thrown != null) {
            v.add(tier + ": threw " + got.thrown);
            return;
        }
        if (expected.thrown != null) {
            return;
        }
        if (!expected.key().equals(got.key())) {
            v.add(tier + ": status " + got.key() + " but the interpreter gave " + expected.key());
        }
        if (!expected.vmm.events.equals(got.vmm.events)) {
            v.add(tier + ": callbacks " + got.vmm.events + " but the interpreter made " + expected.vmm.events);
        } else if (!expected.vmm.state().equals(got.vmm.state())) {
            v.add(tier + ": final guest state differs from the interpreter's");
        }
    }

    /** The rules every single run must follow. */
    static void checkOne(String tier, Scenario s, Result r, List<String> v) {
        HostileVmm vmm = r.vmm;
        if (r.thrown != null) {
            v.add(tier + ": exception escaped: " + r.thrown);
            return;
        }
        v.addAll(vmm.violations);
        int bits = r.bits;
        DecodedInstruction d = new DecodedInstruction();
        int ds = Decoder.decode(s.insn, 0, 16, s.mode, d);
        boolean repString = ds == DecodeStatus.OK && d.family == Families.STRING && d.repPrefix != 0
            && (d.attrs & (Forms.ATTR_REP | Forms.ATTR_REPE)) != 0;

        // Bounded work: a call makes a bounded number of callbacks per REP iteration.
        long bound = 24 * s.repBudget + 48;
        if (vmm.calls > bound) {
            v.add(tier + ": " + vmm.calls + " callbacks with a REP budget of " + s.repBudget);
        }

        int failureBits = bits & 0x3fe;
        if (bits == EmulatorStatus.EMULATION_SUCCESSFUL) {
            if (r.vector != -1 || r.reason != EmulatorStatus.Reason.NONE) {
                v.add(tier + ": success with vector " + r.vector + " reason " + r.reason);
            }
            if (vmm.failedKind != 0) {
                v.add(tier + ": success although callback kind " + vmm.failedKind + " failed");
            }
            if (vmm.setCalls != 1) {
                v.add(tier + ": success with " + vmm.setCalls + " set-registers calls");
            } else if (!vmm.setBatches.get(0).contains(Register.RIP)) {
                v.add(tier + ": success without setting RIP");
            } else if (ds == DecodeStatus.OK && !repString) {
                long next = s.rip + d.length;
                if (!s.mode.is64()) {
                    next &= s.mode.defaultSize() == 2 ? 0xffff : 0xffffffffL;
                }
                if (vmm.reg(Register.RIP) != next) {
                    v.add(tier + ": RIP " + Long.toHexString(vmm.reg(Register.RIP)) + " after a "
                        + d.length + "-byte instruction at " + Long.toHexString(s.rip));
                }
            }
        } else if (bits == (EmulatorStatus.EXCEPTION_PENDING | EmulatorStatus.GUEST_CANNOT_BE_FAULTED)) {
            int vec = r.vector;
            if (vec != 6 && vec != 12 && vec != 13 && vec != 14 && vec != 17) {
                v.add(tier + ": exception vector " + vec);
            }
            boolean wantCode = vec != 6 && s.mode != CpuMode.REAL16;
            boolean known = KnownBugs.VM86_LIMIT_FAULT_WITHOUT_ERROR_CODE && s.mode == CpuMode.VM86
                && (vec == 12 || vec == 13) && !r.hasErrorCode;
            if (r.hasErrorCode != wantCode && !known) {
                v.add(tier + ": vector " + vec + " in " + s.mode + " with error code " + r.hasErrorCode);
            }
            if (vec != 14 && r.cr2 != 0) {
                v.add(tier + ": CR2 set for vector " + vec);
            }
            if (vec == 14 && (r.errorCode & ~0x1f) != 0) {
                v.add(tier + ": #PF error code " + Integer.toHexString(r.errorCode));
            }
            if (vec != 14 && r.errorCode != 0) {
                v.add(tier + ": error code " + r.errorCode + " for vector " + vec);
            }
            if (vmm.failedKind != 0) {
                v.add(tier + ": exception although callback kind " + vmm.failedKind + " failed");
            }
            checkNoRegisterWrites(tier, repString, d, vmm, v);
            if (!repString && (vmm.memoryWrites != 0 || vmm.portAccesses != 0)) {
                v.add(tier + ": a faulting instruction accessed a device: " + vmm.events);
            }
        } else if ((bits & ~0x3fe) == 0 && Integer.bitCount(failureBits) == 1) {
            if (r.vector != -1 && bits != EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED) {
                v.add(tier + ": failure " + r.describe + " with vector " + r.vector);
            }
            switch (r.reason) {
                case EXIT_MISMATCH:
                    if (!s.dishonestExit && (!s.io || ds == DecodeStatus.OK && (d.family == Families.IO
                            || d.family == Families.STRING && (d.op == Families.STRING_INS || d.op == Families.STRING_OUTS)))) {
                        v.add(tier + ": exit mismatch for an exit that the instruction did cause");
                    }
                    if (vmm.memoryWrites != 0 || vmm.portAccesses != 0) {
                        v.add(tier + ": exit mismatch after a device access: " + vmm.events);
                    }
                    // fall through
                case UNSUPPORTED_INSTRUCTION:
                    if (bits != EmulatorStatus.INTERNAL_EMULATION_FAILURE) {
     v.add(tier + ": " + r.reason + " with bits " + Integer.toHexString(bits));
                    }
                    break;
                case INTERRUPTION_PENDING:
                    if (!s.interruptionPending || vmm.calls != 0) {
                        v.add(tier + ": interruption-pending outcome: " + r.describe);
                    }
                    break;
                case CALLBACK_FAILED:
                    checkFailedCallback(tier, bits, vmm, v);
                    break;
                default:
                    v.add(tier + ": failure with reason " + r.reason + " (an internal error): " + r.describe);
            }
            if (s.interruptionPending && r.reason != EmulatorStatus.Reason.INTERRUPTION_PENDING) {
                v.add(tier + ": emulated although an interruption was pending");
            }
            if (bits != EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED && vmm.setCalls != 0) {
                v.add(tier + ": failed (" + r.describe + ") after setting registers " + vmm.setBatches);
            }
        } else {
            v.add(tier + ": undefined status bits " + Integer.toHexString(bits));
        }
        if (vmm.failedKind != 0 && failureBits == 0) {
            v.add(tier + ": callback kind " + vmm.failedKind + " failed but the status is " + r.describe);
        }
    }

    private static void checkFailedCallback(String tier, int bits, HostileVmm vmm, List<String> v) {
        int kind;
        switch (bits) {
            case EmulatorStatus.GET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED: kind = HostileVmm.GET; break;
            case EmulatorStatus.SET_VIRTUAL_PROCESSOR_REGISTERS_CALLBACK_FAILED: kind = HostileVmm.SET; break;
            case EmulatorStatus.MEMORY_CALLBACK_FAILED: kind = HostileVmm.MEMORY; break;
            case EmulatorStatus.IO_PORT_CALLBACK_FAILED: kind = HostileVmm.PORT; break;
            case EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_FAILED:
            case EmulatorStatus.TRANSLATE_GVA_PAGE_CALLBACK_GPA_IS_NOT_ALIGNED:
                // also for a result code hvex does not turn into #PF, or an unaligned GPA
                if (vmm.failedKind != 0 && vmm.failedKind != HostileVmm.TRANSLATE) {
                    v.add(tier + ": translation failure reported for a failed callback of kind " + vmm.failedKind);
                }
                return;
            default:
                v.add(tier + ": callback failure with bits " + Integer.toHexString(bits));
                return;
        }
        if (vmm.failedKind != kind) {
            v.add(tier + ": status " + Integer.toHexString(bits) + " but the failed callback was of kind " + vmm.failedKind);
        }
    }

    private static final Set<Register> REP_PROGRESS = EnumSet.of(Register.RCX, Register.RSI, Register.RDI);

    private static void checkNoRegisterWrites(String tier, boolean repString, DecodedInstruction d, HostileVmm vmm,
                                              List<String> v) {
        if (vmm.setCalls == 0) {
            return;
        }
        if (!repString || vmm.setCalls != 1) {
            v.add(tier + ": fault after set-registers " + vmm.setBatches);
            return;
        }
        for (Register r : vmm.setBatches.get(0)) {
            boolean lods = r == Register.RAX && d.op == Families.STRING_LODS;
            // the flags of the last completed CMPS/SCAS iteration stay, as the processor leaves them
            boolean flags = r == Register.RFLAGS && (d.op == Families.STRING_CMPS || d.op == Families.STRING_SCAS);
            if (!REP_PROGRESS.contains(r) && !lods && !flags) {
                v.add(tier + ": REP progress on a fault wrote " + r);
            }
        }
    }
}
