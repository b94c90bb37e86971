package dev.hvex.conformance;

import dev.hvex.CpuMode;
import dev.hvex.Register;

/** The value of a register a case does not name (FORMAT.md "Project notes"). */
public final class MachineDefaults {
    private MachineDefaults() {
    }

    public static RegValue value(Register r, CpuMode mode) {
        boolean real = mode.isRealAddressing();
        boolean longMode = mode == CpuMode.LONG64 || mode == CpuMode.COMPAT32 || mode == CpuMode.COMPAT16;
        switch (r) {
            case RFLAGS:
                return RegValue.of(mode == CpuMode.VM86 ? 0x20002 : 0x2);
            case CR0:
                return RegValue.of(mode == CpuMode.REAL16 ? 0x10 : 0x11);
            case EFER:
                return RegValue.of(longMode ? 0x500 : 0);
            case MXCSR:
                return RegValue.of(0x1f80);
            case CS:
                return RegValue.segment(0, 0, real ? 0xffff : 0xffffffff, codeAttributes(mode));
            case ES: case SS: case DS: case FS: case GS:
                return real ? RegValue.segment(0, 0, 0xffff, 0x93) : RegValue.segment(0, 0, 0xffffffff, 0xc093);
            case TR:
                return RegValue.segment(0, 0, 0xffff, 0x8b);
            case LDTR:
                return RegValue.segment(0, 0, 0xffff, 0x82);
            case GDTR: case IDTR:
                return RegValue.table(0, 0xffff);
            default:
                return RegValue.of(0);
        }
    }

    /** Access rights of a flat code segment that selects {@code mode}. */
    public static int codeAttributes(CpuMode mode) {
        switch (mode) {
            case PROT32: case COMPAT32:
                return 0xc09b;
            case LONG64:
                return 0xa09b;
            case VM86:
                return 0xf3;
            default:
                return 0x9b;
        }
    }
}
