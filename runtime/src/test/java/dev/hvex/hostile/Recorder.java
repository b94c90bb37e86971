package dev.hvex.hostile;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.testing.FakeVmm;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a {@link FakeVmm}: logs every callback in order (get and set included), and fails the n-th
 * call of one kind, by returning false or by throwing. After the failure it records whatever the
 * emulator still calls, so a test can check that nothing happened after the failure point.
 */
final class Recorder implements EmulatorCallbacks {
    enum Kind { GET, SET, MEMORY, TRANSLATE, PORT }

    final FakeVmm vmm;
    final List<String> log = new ArrayList<>();
    final int[] counts = new int[Kind.values().length];
    Kind failKind;
    int failAt;
    boolean failByThrowing;
    /** Index in {@link #log} of the failed call, or -1. */
    int failedAt = -1;
    int successfulSets;
    final List<List<Register>> sets = new ArrayList<>();

    Recorder(FakeVmm vmm) {
        this.vmm = vmm;
    }

    Recorder failing(Kind kind, int at, boolean throwing) {
        failKind = kind;
        failAt = at;
        failByThrowing = throwing;
        return this;
    }

    private boolean fails(Kind kind, String what) {
        int n = ++counts[kind.ordinal()];
        if (kind == failKind && n == failAt) {
            failedAt = log.size();
            log.add("FAILED " + what);
            if (failByThrowing) {
                throw new IllegalStateException("injected " + kind + " failure");
            }
            return true;
        }
        return false;
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        StringBuilder sb = new StringBuilder("get");
        for (int i = 0; i < registers.count(); i++) {
            sb.append(' ').append(registers.name(i));
        }
        if (fails(Kind.GET, sb.toString())) {
            return false;
        }
        log.add(sb.toString());
        return vmm.getRegisters(context, registers);
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        List<Register> names = new ArrayList<>();
        StringBuilder sb = new StringBuilder("set");
        for (int i = 0; i < registers.count(); i++) {
            names.add(registers.name(i));
            sb.append(' ').append(registers.name(i)).append('=').append(Long.toHexString(registers.low(i)));
        }
        if (fails(Kind.SET, sb.toString())) {
            return false;
        }
        log.add(sb.toString());
        sets.add(names);
        successfulSets++;
        return vmm.setRegisters(context, registers);
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        String what = (access.isWrite() ? "w " : "r ") + Long.toHexString(access.gpa()) + " " + access.size()
            + (access.isWrite() ? " " + Long.toHexString(access.data()) : "");
        if (fails(Kind.MEMORY, what)) {
            return false;
        }
        log.add(what);
        return vmm.memory(context, access);
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        String what = "t " + Long.toHexString(gvaPage) + " " + translateFlags;
        if (fails(Kind.TRANSLATE, what)) {
            return false;
        }
        log.add(what);
        return vmm.translateGvaPage(context, gvaPage, translateFlags, result);
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        String what = (access.isWrite() ? "out " : "in ") + Integer.toHexString(access.port()) + " " + access.size();
        if (fails(Kind.PORT, what)) {
            return false;
        }
        log.add(what);
        return vmm.ioPort(context, access);
    }

    int count(Kind k) {
        return counts[k.ordinal()];
    }
}
