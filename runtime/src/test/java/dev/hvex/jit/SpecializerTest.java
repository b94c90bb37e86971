package dev.hvex.jit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hvex.Emulator;
import dev.hvex.EmulatorOptions;
import dev.hvex.EmulatorStatus;
import dev.hvex.MmioAccessContext;
import dev.hvex.Register;
import dev.hvex.VpExitContext;
import dev.hvex.testing.Exits;
import dev.hvex.testing.FakeVmm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hot instructions of the emitting families get a hidden class that the JVM accepts, and running it
 * gives exactly what the interpreter gives on the same state (registers, flags, memory, callbacks).
 */
class SpecializerTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "long64, 894708, true",          // mov [rdi+8], eax
        "long64, 488b4708, true",        // mov rax, [rdi+8]
        "long64, 8a07, true",            // mov al, [rdi]
        "long64, 8827, true",            // mov [rdi], ah
        "long64, 66c7070102, true",      // mov word [rdi], 0x201
        "long64, c6470801, true",        // mov byte [rdi+8], 1
        "long64, 0fb607, true",          // movzx eax, byte [rdi]
        "long64, 480fbf07, true",        // movsx rax, word [rdi]
        "long64, 010f, true",            // add [rdi], ecx
        "long64, 48114f08, true",        // adc [rdi+8], rcx
        "long64, 2b07, true",            // sub eax, [rdi]
        "long64, 833f05, true",          // cmp dword [rdi], 5
        "long64, 80670ffe, true",        // and byte [rdi+15], 0xfe
        "long64, 48810f00000080, true",  // or qword [rdi], -2^31
        "long64, 8507, true",            // test [rdi], eax
        "long64, ff07, true",            // inc dword [rdi]
        "long64, f71f, true",            // neg dword [rdi]
        "long64, 0f9407, true",          // sete [rdi]
        "long64, 8b0510000000, true",    // mov eax, [rip+0x10]
        "long64, 8b04b7, true",          // mov eax, [rdi+rsi*4]
        "long64, a1 0820000000000000, true", // mov eax, [moffs64]
        "long64, 0fc307, true",          // movnti [rdi], eax
        "long64, 0fc107, false",         // xadd: interpreted handler
        "prot32, 894708, true",
        "prot32, 6689470 8, true",
        "real16, 894708, true",
        "real16, 8b4708, true",
    })
    void handlerMatchesInterpreter(String mode, String hex, boolean hidden) {
        hex = hex.replace(" ", "");
        HandlerCache cache = new HandlerCache(64);
        FakeVmm a = vmm();
        FakeVmm b = vmm();
        EmulatorStatus sa;
        EmulatorStatus sb;
        // The exits here are synthetic (one GPA for every instruction), so exit verification is off.
        EmulatorOptions options = EmulatorOptions.defaults().withVerifyExits(false);
        try (Emulator interp = Emulator.create(a, options.withSpecialize(false));
             Emulator jit = Emulator.create(b, options.withCache(cache).withSpecializeThreshold(0))) {
            sa = interp.tryMmioEmulation(null, context(mode), access(hex));
            String interpBits = sa.describe();
            assertThat(sa.emulationSuccessful()).as(interpBits).isTrue();
            sb = jit.tryMmioEmulation(null, context(mode), access(hex));
            assertThat(sb.describe()).isEqualTo(interpBits);
            b.log.clear();
            a.log.clear();
            restore(a);
            restore(b);
            interp.tryMmioEmulation(null, context(mode), access(hex));
            jit.tryMmioEmulation(null, context(mode), access(hex)); // the cached path
            assertThat(jit.stats().cachedRuns).isEqualTo(1);
        }
        assertThat(b.log).isEqualTo(a.log);
        assertThat(b.lo).isEqualTo(a.lo);
        assertThat(b.memory).isEqualTo(a.memory);
        byte[] key = padded(hex);
        int count = hex.length() / 2;
        Profile p = cache.lookup(dev.hvex.CpuMode.fromLabel(mode), HandlerCache.keyLow(key, count),
            HandlerCache.keyHigh(key, count), count);
        assertThat(p).isNotNull();
        assertThat(p.handler.getClass().isHidden()).isEqualTo(hidden);
        assertThat(Specializer.rejectedClasses()).isZero();
    }

    /**
     * When the fast path of {@code mov [rdi+8], eax} declines (a page split, a non-canonical address, an
     * alignment check), the general path finishes with the registers the fast path already fetched: the
     * same callbacks as the interpreter, and one get.
     */
    @ParameterizedTest(name = "{3}")
    @CsvSource({
        "0xff6, 0, false, page split",
        "0x7ffffffffffc, 0, false, non-canonical",
        "0x2001, 3, true, alignment check",
    })
    void declinedFastPathMatchesInterpreter(String rdiText, int cpl, boolean alignmentCheck, String what) {
        long rdi = Long.decode(rdiText);
        long rflags = 0x8d7 | (alignmentCheck ? 1L << 18 : 0);
        FakeVmm a = vmm();
        FakeVmm b = vmm();
        EmulatorOptions options = EmulatorOptions.defaults().withVerifyExits(false);
        try (Emulator interp = Emulator.create(a, options.withSpecialize(false));
             Emulator jit = Emulator.create(b, options.withCache(new HandlerCache(64)).withSpecializeThreshold(0))) {
            jit.tryMmioEmulation(null, context("long64"), access("894708")); // specializes
            for (FakeVmm v : new FakeVmm[] {a, b}) {
                restore(v);
                v.set(Register.RDI, rdi).set(Register.RFLAGS, rflags).set(Register.RIP, 0);
                v.log.clear();
                v.getCalls = 0;
                v.setCalls = 0;
            }
            VpExitContext vp = context("long64").setCpl(cpl).setCr0Am(alignmentCheck).setRflags(rflags);
            String expected = interp.tryMmioEmulation(null, vp, access("894708")).describe();
            assertThat(jit.tryMmioEmulation(null, vp, access("894708")).describe()).isEqualTo(expected);
            assertThat(jit.stats().cachedRuns).isEqualTo(1);
        }
        assertThat(b.log).isEqualTo(a.log);
        assertThat(b.lo).isEqualTo(a.lo);
        assertThat(b.memory).isEqualTo(a.memory);
        assertThat(b.getCalls).isEqualTo(a.getCalls).isEqualTo(1);
        assertThat(b.setCalls).isEqualTo(a.setCalls);
    }

    /**
     * IN and OUT in 64-bit mode get a fast path: a cached run gives the interpreter's registers, port
     * accesses and status, including when the fast path declines (CPL above IOPL: #GP; an exit that
     * reports another port: a mismatch).
     */
    @ParameterizedTest(name = "{0} port {2} cpl {3}")
    @CsvSource({
        "ee, true, 0x60, 0",     // out dx, al
        "66ef, true, 0x60, 0",   // out dx, ax
        "ef, true, 0x60, 0",     // out dx, eax
        "e660, true, 0x60, 0",   // out 0x60, al
        "ec, false, 0x60, 0",    // in al, dx
        "66ed, false, 0x60, 0",  // in ax, dx
        "ed, false, 0x60, 0",    // in eax, dx
        "e560, false, 0x60, 0",  // in eax, 0x60
        "ee, true, 0x60, 3",     // CPL 3 > IOPL 0
        "ee, true, 0x61, 0",     // the exit reports port 0x61, DX says 0x60
    })
    void portHandlerMatchesInterpreter(String hex, boolean write, String exitPort, int cpl) {
        FakeVmm a = vmm();
        FakeVmm b = vmm();
        a.portValue = 0x8badf00d;
        b.portValue = 0x8badf00d;
        b.set(Register.RDX, 0x60);
        EmulatorOptions options = EmulatorOptions.defaults();
        HandlerCache cache = new HandlerCache(64);
        dev.hvex.IoPortAccessContext good = port(hex, write, 0x60);
        dev.hvex.IoPortAccessContext exit = port(hex, write, Integer.decode(exitPort));
        try (Emulator interp = Emulator.create(a, options.withSpecialize(false));
             Emulator jit = Emulator.create(b, options.withCache(cache).withSpecializeThreshold(0))) {
            assertThat(jit.tryIoEmulation(null, context("long64"), good).emulationSuccessful()).isTrue();
            for (FakeVmm v : new FakeVmm[] {a, b}) {
                restore(v);
                v.set(Register.RDX, 0x60).set(Register.RIP, 0);
                v.log.clear();
                v.getCalls = 0;
            }
            VpExitContext vp = context("long64").setCpl(cpl);
            String expected = interp.tryIoEmulation(null, vp, exit).describe();
            assertThat(jit.tryIoEmulation(null, vp, exit).describe()).isEqualTo(expected);
            assertThat(jit.stats().cachedRuns).isEqualTo(1);
        }
        assertThat(b.log).isEqualTo(a.log);
        assertThat(b.lo).isEqualTo(a.lo);
        assertThat(b.getCalls).isEqualTo(a.getCalls).isEqualTo(1);
        byte[] key = padded(hex);
        int count = hex.length() / 2;
        Profile p = cache.lookup(dev.hvex.CpuMode.LONG64, HandlerCache.keyLow(key, count),
            HandlerCache.keyHigh(key, count), count);
        assertThat(p.handler.getClass().isHidden()).isTrue();
        assertThat(p.handler.fast).isTrue();
    }

    private static dev.hvex.IoPortAccessContext port(String hex, boolean write, int port) {
        byte[] b = Exits.hex(hex);
        int size = hex.startsWith("66") ? 2 : (b[b.length == 1 ? 0 : b[0] == 0x66 ? 1 : 0] & 1) == 0 ? 1 : 4;
        return new dev.hvex.IoPortAccessContext().setInstructionBytes(b, 0, b.length).setWrite(write)
            .setPort(port).setAccessSize(size).setRax(0x11223344);
    }

    private static byte[] padded(String hex) {
        byte[] b = new byte[16];
        byte[] h = Exits.hex(hex);
        System.arraycopy(h, 0, b, 0, h.length);
        return b;
    }

    private static FakeVmm vmm() {
        FakeVmm v = new FakeVmm();
        restore(v);
        return v;
    }

    private static void restore(FakeVmm v) {
        v.set(Register.RAX, 0x8899aabbccddeeffL).set(Register.RCX, 0x7fffffffL).set(Register.RDI, 0x2000)
            .set(Register.RSI, 3).set(Register.RFLAGS, 0);
        v.segment(Register.DS, 0, 0xffff, 0, 0x93);
        v.poke(0x2000, Exits.hex("f0debc9a78563412ffffffff00000080"));
        v.poke(0x2008, Exits.hex("1122334455667788"));
        v.poke(0x2018, Exits.hex("0102030405060708"));
    }

    private static VpExitContext context(String mode) {
        switch (mode) {
            case "prot32": return Exits.prot32().setRflags(0x8d7);
            case "real16": return Exits.real16().setRflags(0x8d7);
            default: return Exits.long64().setRflags(0x8d7);
        }
    }

    private static MmioAccessContext access(String hex) {
        return Exits.mmio(hex, 0x2000, MmioAccessContext.WRITE);
    }
}
