package dev.hvex.bench;

import dev.hvex.Emulator;
import dev.hvex.EmulatorCallbacks;
import dev.hvex.EmulatorOptions;
import dev.hvex.IoPortAccess;
import dev.hvex.IoPortAccessContext;
import dev.hvex.Register;
import dev.hvex.RegisterValues;
import dev.hvex.VpExitContext;
import dev.hvex.jit.HandlerCache;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Port-I/O exits through {@link Emulator#tryIoEmulation} in 64-bit mode: {@code out dx, al} (EE),
 * {@code in al, dx} (EC) and {@code rep outsb} (F3 6E) with RCX = 64 from RAM (RCX and RSI reset before
 * each op), interpreted and cached. {@link #idealOut} is the API floor for the OUT.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PortIoBench {
    static final int PORT = 0x3f8;
    static final long OUTS_SRC = 0x9000;
    static final int OUTS_COUNT = 64;

    BenchVmm vmm;
    EmulatorCallbacks callbacks;
    final Object vcpu = new Object();
    VpExitContext vp;
    IoPortAccessContext out;
    IoPortAccessContext in;
    IoPortAccessContext outsb;
    Emulator interpreted;
    Emulator cached;

    final RegisterValues idealRegs = new RegisterValues(4);
    final IoPortAccess idealAccess = new IoPortAccess();

    @Setup(Level.Trial)
    public void setup() {
        vmm = Exits.long64Vmm().set(Register.RDX, PORT).set(Register.RAX, 0x41);
        for (int i = 0; i < OUTS_COUNT; i++) {
            vmm.ram[(int) OUTS_SRC + i] = (byte) (0x80 + i);
        }
        callbacks = vmm;
        vp = Exits.long64();
        out = Exits.io("ee", true, 1, PORT, vmm);
        in = Exits.io("ec", false, 1, PORT, vmm);
        vmm.set(Register.RCX, OUTS_COUNT).set(Register.RSI, OUTS_SRC);
        outsb = Exits.io("f36e", true, 1, PORT, vmm).setStringOp(true).setRepPrefix(true);
        interpreted = Emulator.create(vmm, EmulatorOptions.defaults().withSpecialize(false));
        cached = Emulator.create(vmm,
            EmulatorOptions.defaults().withCache(new HandlerCache(64)).withSpecializeThreshold(0));

        for (Emulator e : new Emulator[] {interpreted, cached, cached}) {
            vmm.set(Register.RAX, 0x41);
            long writes = vmm.portWrites;
            Exits.check(e.tryIoEmulation(vcpu, vp, out), "out dx, al");
            Exits.check(vmm.portWrites == writes + 1 && vmm.lastPortValue == 0x41, "out: one write of 0x41 expected");
            vmm.set(Register.RAX, 0x1234_5600L);
            Exits.check(e.tryIoEmulation(vcpu, vp, in), "in al, dx");
            Exits.check(vmm.get(Register.RAX) == 0x1234_5600L + BenchVmm.PORT_VALUE, "in: wrong AL");
            writes = vmm.portWrites;
            Exits.check(outsb(e) == 1, "rep outsb");
            Exits.check(vmm.portWrites == writes + OUTS_COUNT, "rep outsb: 64 port writes expected");
            Exits.check(vmm.lastPortValue == 0x80 + OUTS_COUNT - 1, "rep outsb: wrong last byte");
            Exits.check(vmm.get(Register.RCX) == 0 && vmm.get(Register.RIP) == Exits.RIP + 2, "rep outsb: not done");
        }
        vmm.set(Register.RAX, 0x41);
        Exits.check(cached.stats().cachedRuns >= 3, "the cached emulator did not run cached handlers");
    }

    private int outsb(Emulator e) {
        long[] lo = vmm.lo;
        lo[Register.RCX.ordinal()] = OUTS_COUNT;
        lo[Register.RSI.ordinal()] = OUTS_SRC;
        return e.tryIoEmulation(vcpu, vp, outsb).bits();
    }

    @Benchmark
    public int outInterpreted() {
        return interpreted.tryIoEmulation(vcpu, vp, out).bits();
    }

    @Benchmark
    public int outCached() {
        return cached.tryIoEmulation(vcpu, vp, out).bits();
    }

    @Benchmark
    public int inInterpreted() {
        return interpreted.tryIoEmulation(vcpu, vp, in).bits();
    }

    @Benchmark
    public int inCached() {
        return cached.tryIoEmulation(vcpu, vp, in).bits();
    }

    @Benchmark
    public int repOutsbInterpreted() {
        return outsb(interpreted);
    }

    @Benchmark
    public int repOutsbCached() {
        return outsb(cached);
    }

    /** The API floor for {@code out dx, al}: get RDX and RAX, one port callback, set RIP. */
    @Benchmark
    public int idealOut() {
        EmulatorCallbacks cb = callbacks;
        RegisterValues r = idealRegs;
        r.clear();
        r.add(Register.RDX);
        r.add(Register.RAX);
        if (!cb.getRegisters(vcpu, r)) {
            return 1 << 6;
        }
        IoPortAccess a = idealAccess;
        a.set((int) r.low(0) & 0xffff, true, 1, (int) r.low(1) & 0xff);
        if (!cb.ioPort(vcpu, a)) {
            return 1 << 2;
        }
        r.clear();
        r.add(Register.RIP, vp.rip() + 1, 0);
        if (!cb.setRegisters(vcpu, r)) {
            return 1 << 7;
        }
        return 1;
    }
}
