package dev.hvex.conformance;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.RegisterValues;

/**
 * The emulator callbacks of replay: each call goes to the {@link CaseMachine} passed as the context of
 * {@code tryMmioEmulation}/{@code tryIoEmulation}, so one emulator serves any number of cases.
 * A call with any other context fails.
 */
public final class ReplayCallbacks implements EmulatorCallbacks {
    public static final ReplayCallbacks INSTANCE = new ReplayCallbacks();

    private ReplayCallbacks() {
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        return context instanceof CaseMachine && ((CaseMachine) context).ioPort(access);
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        return context instanceof CaseMachine && ((CaseMachine) context).memory(access);
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        return context instanceof CaseMachine && ((CaseMachine) context).getRegisters(registers);
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        return context instanceof CaseMachine && ((CaseMachine) context).setRegisters(registers);
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        return context instanceof CaseMachine && ((CaseMachine) context).translateGvaPage(gvaPage, translateFlags, result);
    }
}
