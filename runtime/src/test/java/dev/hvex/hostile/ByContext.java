package dev.hvex.hostile;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.RegisterValues;

/**
 * Callbacks that forward to the context object of each call, as a VMM with one emulator per vCPU and a
 * per-exit context would: lets one emulator serve a fresh {@link HostileVmm} per run.
 */
final class ByContext implements EmulatorCallbacks {
    static final ByContext INSTANCE = new ByContext();

    private static EmulatorCallbacks of(Object context) {
        return (EmulatorCallbacks) context;
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        return of(context).ioPort(context, access);
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        return of(context).memory(context, access);
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        return of(context).getRegisters(context, registers);
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        return of(context).setRegisters(context, registers);
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        return of(context).translateGvaPage(context, gvaPage, translateFlags, result);
    }
}
