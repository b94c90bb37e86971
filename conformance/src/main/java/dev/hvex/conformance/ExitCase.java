package dev.hvex.conformance;

import dev.hvex.CpuMode;
import dev.hvex.Register;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One exit case of FORMAT.md: the guest state before one instruction behind an MMIO or port-I/O exit,
 * what the hypervisor reported, and (for a test vector) what must happen.
 *
 * <p>Optional keys are null when absent ({@code cpl}, {@code pages}, {@code access}, {@code io},
 * {@code expect}, and the informative strings); lists are never null.
 *
 * @param regs the registers the case names, in {@link Register} order; absent ones take the defaults of
 *             {@link MachineDefaults}
 */
public record ExitCase(
        String id,
        String family,
        String variant,
        CpuMode mode,
        Exit exit,
        Bytes insn,
        Integer cpl,
        Map<Register, RegValue> regs,
        List<Page> pages,
        List<MemRegion> mem,
        List<PortValues> ports,
        MmioAccess access,
        IoAccess io,
        Expectation expect,
        String source) {

    public ExitCase {
        regs = freeze(regs);
        pages = pages == null ? null : List.copyOf(pages);
        mem = List.copyOf(mem);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    static Map<Register, RegValue> freeze(Map<Register, RegValue> m) {
        EnumMap<Register, RegValue> copy = new EnumMap<>(Register.class);
        if (m != null) {
            copy.putAll(m);
        }
        return Collections.unmodifiableMap(copy);
    }

    /** A copy with another expectation (null: a recorded exit to replay). */
    public ExitCase withExpect(Expectation e) {
        return new ExitCase(id, family, variant, mode, exit, insn, cpl, regs, pages, mem, ports, access, io, e, source);
    }

    /** The family for grouping: {@code family} if given, else the second {@code /} part of the id, else "-". */
    public String familyOrGuess() {
        if (family != null) {
            return family;
        }
        String[] parts = id.split("/");
        return parts.length >= 3 ? parts[1] : "-";
    }

    public enum Exit {
        MMIO, IO;

        public String label() {
            return this == MMIO ? "mmio" : "io";
        }
    }

    /** A 4 KiB translation. */
    public record Page(long gva, long gpa, boolean w, boolean u, boolean x) {
    }

    public enum MemKind {
        RAM, MMIO;

        public String label() {
            return this == RAM ? "ram" : "mmio";
        }
    }

    /** A region of guest-physical memory with its bytes. */
    public record MemRegion(long gpa, MemKind kind, Bytes bytes) {
        public long end() {
            return gpa + bytes.length();
        }
    }

    /** The values successive reads of a port return. */
    public record PortValues(int port, List<Long> values) {
        public PortValues {
            values = List.copyOf(values);
        }
    }

    public enum AccessType {
        READ, WRITE, EXECUTE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The {@link dev.hvex.MmioAccessContext} constant. */
        public int code() {
            return ordinal();
        }
    }

    /** The faulting memory access the hypervisor reported. */
    public record MmioAccess(long gpa, long gva, AccessType type, boolean gvaValid) {
    }

    /** The port access the hypervisor reported. */
    public record IoAccess(int port, int size, boolean write, boolean string, boolean rep) {
    }

    public enum Status {
        OK, FAULT, UNSUPPORTED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The exception a faulting instruction must report; error and cr2 null where the case gives none. */
    public record Fault(int vector, Long error, Long cr2) {
    }

    /** Final bytes of a memory range. */
    public record MemBytes(long gpa, Bytes bytes) {
    }

    /**
     * What must happen.
     *
     * @param flagsMask RFLAGS bits to compare; null compares all
     * @param accesses  the ordered device accesses; null when not observed (not compared)
     */
    public record Expectation(Status status, Fault fault, Map<Register, RegValue> regs, Long flagsMask,
                              List<MemBytes> mem, List<DeviceAccess> accesses) {
        public Expectation {
            regs = freeze(regs);
            mem = mem == null ? List.of() : List.copyOf(mem);
            accesses = accesses == null ? null : List.copyOf(accesses);
        }
    }
}
