package dev.hvex.testing;

import dev.hvex.EmulatorCallbacks;
import dev.hvex.GvaTranslation;
import dev.hvex.IoPortAccess;
import dev.hvex.MemoryAccess;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small VMM for tests: a register file, sparse guest-physical memory, identity paging with pages
 * that can be made absent or read-only, ports, a log of every callback, and failure injection.
 */
public final class FakeVmm implements EmulatorCallbacks {
    public final long[] lo = new long[Register.count()];
    public final long[] hi = new long[Register.count()];
    public final Map<Long, Byte> memory = new HashMap<>();
    public final List<String> log = new ArrayList<>();
    public final Map<Long, Integer> pageResult = new HashMap<>();
    public final Map<Long, Long> pageMap = new HashMap<>();
    public int portValue = 0xffffffff;
    public int getCalls;
    public int setCalls;

    /** Fail the n-th call (1-based) of a callback kind; 0 = never. */
    public int failGet;
    public int failSet;
    public int failMemory;
    public int failTranslate;
    public int failPort;
    public boolean misalignTranslation;
    private int memoryCalls;
    private int translateCalls;
    private int portCalls;

    public FakeVmm set(Register r, long value) {
        lo[r.ordinal()] = value;
        return this;
    }

    public long get(Register r) {
        return lo[r.ordinal()];
    }

    public FakeVmm segment(Register r, long base, int limit, int selector, int attributes) {
        lo[r.ordinal()] = base;
        hi[r.ordinal()] = RegisterValues.packSegment(limit, selector, attributes);
        return this;
    }

    public FakeVmm poke(long gpa, byte... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            memory.put(gpa + i, bytes[i]);
        }
        return this;
    }

    public long peek(long gpa, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (memory.getOrDefault(gpa + i, (byte) 0) & 0xff);
        }
        return v;
    }

    @Override
    public boolean ioPort(Object context, IoPortAccess access) {
        if (++portCalls == failPort) {
            return false;
        }
        log.add((access.isWrite() ? "out " : "in ") + Integer.toHexString(access.port()) + " " + access.size()
            + (access.isWrite() ? " " + Integer.toHexString(access.data()) : ""));
        if (!access.isWrite()) {
            access.setData(portValue);
        }
        return true;
    }

    @Override
    public boolean memory(Object context, MemoryAccess access) {
        if (++memoryCalls == failMemory) {
            return false;
        }
        if (access.isWrite()) {
            for (int i = 0; i < access.size(); i++) {
                memory.put(access.gpa() + i, (byte) access.dataByte(i));
            }
            log.add("w " + Long.toHexString(access.gpa()) + " " + access.size() + " " + Long.toHexString(access.data()));
        } else {
            access.setData(peek(access.gpa(), access.size()));
            log.add("r " + Long.toHexString(access.gpa()) + " " + access.size());
        }
        return true;
    }

    @Override
    public boolean getRegisters(Object context, RegisterValues registers) {
        getCalls++;
        if (getCalls == failGet) {
            return false;
        }
        for (int i = 0; i < registers.count(); i++) {
            Register r = registers.name(i);
            registers.set(i, lo[r.ordinal()], hi[r.ordinal()]);
        }
        return true;
    }

    @Override
    public boolean setRegisters(Object context, RegisterValues registers) {
        setCalls++;
        if (setCalls == failSet) {
            return false;
        }
        for (int i = 0; i < registers.count(); i++) {
            Register r = registers.name(i);
            lo[r.ordinal()] = registers.low(i);
            hi[r.ordinal()] = registers.high(i);
        }
        return true;
    }

    @Override
    public boolean translateGvaPage(Object context, long gvaPage, int translateFlags, GvaTranslation result) {
        if (++translateCalls == failTranslate) {
            return false;
        }
        log.add("t " + Long.toHexString(gvaPage) + " " + translateFlags);
        int code = pageResult.getOrDefault(gvaPage, GvaTranslation.SUCCESS);
        long gpa = pageMap.getOrDefault(gvaPage, gvaPage & 0xffffffffffffL);
        result.set(code, misalignTranslation ? gpa | 0x10 : gpa);
        return true;
    }
}
