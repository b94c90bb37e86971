package dev.hvex.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hvex.CpuMode;
import dev.hvex.Register;
import dev.hvex.conformance.Bytes;
import dev.hvex.conformance.CaseMachine;
import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseRunner;
import dev.hvex.conformance.DeviceAccess;
import dev.hvex.conformance.Difference;
import dev.hvex.conformance.ExitCase;
import dev.hvex.conformance.ExitCase.AccessType;
import dev.hvex.conformance.ExitCase.IoAccess;
import dev.hvex.conformance.ExitCase.MemKind;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.MmioAccess;
import dev.hvex.conformance.ExitCase.Page;
import dev.hvex.conformance.ExitCase.PortValues;
import dev.hvex.conformance.Hex;
import dev.hvex.conformance.InvalidCaseException;
import dev.hvex.conformance.MachineDefaults;
import dev.hvex.conformance.Outcome;
import dev.hvex.conformance.RegValue;
import dev.hvex.conformance.RegisterNames;
import dev.hvex.conformance.ReplayResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hvex emulate}: one exit, built from options or taken from a case file. */
@Command(name = "emulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Emulate one instruction behind an MMIO or port-I/O exit and show what it did: the device accesses "
            + "in order, the registers that changed (old -> new), changed memory, the status, and the exception to inject.",
            "",
            "The machine is built as a replayed exit case (see conformance/FORMAT.md): registers not given are 0 "
            + "(segments flat for the mode), paging is off unless cr0 has PG (then --page maps pages), the code is "
            + "placed in RAM at CS:RIP, and any access outside --mem/--mmio regions fails. With --mmio the exit is "
            + "an MMIO exit whose access is the first --mmio region; without it the instruction must be IN, OUT, INS or OUTS."},
        footerHeading = "%nExamples:%n",
        footer = {"  hvex emulate --mode long64 --hex 8b03 --reg rbx=0xd0000000 --mmio 0xd0000000=78563412",
            "  hvex emulate --mode real16 --hex ec --reg rdx=0x3f8 --port 0x3f8=0x41",
            "  hvex emulate --case cases.jsonl --id mov_Ev_Gv/long64/0017 --json"})
final class EmulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Option(names = "--mode", converter = ModeConverter.class, paramLabel = "MODE",
            description = "real16, vm86, prot16, prot32, compat16, compat32 or long64.")
    CpuMode mode;

    @Option(names = "--hex", paramLabel = "HEX", description = "The instruction bytes (at most 16).")
    String hex;

    @Option(names = "--reg", paramLabel = "NAME=VALUE",
            description = "A register before the instruction: rax=0x10, xmm0=0x<32 digits>, cs=SEL:BASE:LIMIT:ATTR, gdtr=BASE:LIMIT.")
    List<String> regs = new ArrayList<>();

    @Option(names = "--mem", paramLabel = "GPA=HEX", description = "RAM at GPA holding the bytes.")
    List<String> mem = new ArrayList<>();

    @Option(names = "--mmio", paramLabel = "GPA:SIZE|GPA=HEX",
            description = "An MMIO region (zero-filled, or holding the bytes); the first is the exit's access.")
    List<String> mmio = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT=VALUE,...", description = "Values successive reads of PORT return (then all ones).")
    List<String> ports = new ArrayList<>();

    @Option(names = "--page", paramLabel = "GVA=GPA[:wux]", description = "A 4 KiB translation, with the letters of its permissions.")
    List<String> pages = new ArrayList<>();

    @Option(names = "--cpl", paramLabel = "N", description = "The CPL (default: DPL of cs).")
    String cpl;

    @Option(names = "--access", paramLabel = "TYPE", description = "MMIO access type: read (default), write or execute.")
    String accessType;

    @Option(names = "--gva", paramLabel = "GVA", description = "The MMIO access's guest-virtual address, if the hypervisor reported one.")
    String gva;

    @Option(names = "--case", paramLabel = "FILE", description = "Take the exit from a case file (with --id).")
    String caseFile;

    @Option(names = "--id", paramLabel = "ID", description = "The id of the case in --case.")
    String caseId;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ExitCase c;
        String origin;
        if (caseFile != null) {
            if (caseId == null) {
                throw new BadInputException("--case needs --id ID");
            }
            if (mode != null || hex != null || !regs.isEmpty() || !mem.isEmpty() || !mmio.isEmpty() || !ports.isEmpty()
                    || !pages.isEmpty() || cpl != null || accessType != null || gva != null) {
                throw new BadInputException("--case takes the whole exit from the file: drop --mode, --hex, --reg, --mem, --mmio, --port, --page, --cpl, --access and --gva");
            }
            Located found = find(Inputs.readableFile(caseFile), caseId);
            c = found.exitCase;
            origin = found.where;
        } else {
            if (caseId != null) {
                throw new BadInputException("--id needs --case FILE");
            }
            if (mode == null || hex == null) {
                throw new BadInputException("give --mode and --hex (or --case FILE --id ID)");
            }
            c = build();
            origin = "command line";
        }
        ReplayResult r;
        try (CaseRunner runner = new CaseRunner()) {
            CaseMachine m;
            try {
                m = runner.prepare(c);
            } catch (InvalidCaseException e) {
                throw new BadInputException(origin + ": " + e.getMessage());
            }
            r = runner.replay(m);
        }
        if (r.outcome().crash() != null && debugOption.debug) {
            r.outcome().crash().printStackTrace(spec.commandLine().getErr());
        }
        if (json) {
            printJson(r);
        } else {
            printText(r);
        }
        return r.checked() && !r.passed() ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private record Located(ExitCase exitCase, String where) {
    }

    private static Located find(Path file, String id) throws IOException {
        try (CaseReader reader = Inputs.openCases(file)) {
            for (ExitCase c : reader) {
                if (c.id().equals(id)) {
                    return new Located(c, file + ":" + reader.line());
                }
            }
        }
        throw new BadInputException(file + ": no case with id '" + id + "'");
    }

    // ---- building a case from options ------------------------------------------------------------------

    private ExitCase build() {
        byte[] insn = Inputs.hexBytes(hex, "--hex");
        if (insn.length > 16) {
            throw new BadInputException("--hex: " + insn.length + " bytes, at most 16 allowed");
        }
        Map<Register, RegValue> regValues = new EnumMap<>(Register.class);
        for (String assignment : regs) {
            parseRegister(assignment, regValues);
        }
        List<MemRegion> regions = new ArrayList<>();
        for (String m : mem) {
            int eq = m.indexOf('=');
            if (eq < 0) {
                throw new BadInputException("--mem '" + m + "': expected GPA=HEX");
            }
            regions.add(new MemRegion(Inputs.number(m.substring(0, eq), 64, "--mem '" + m + "'"), MemKind.RAM,
                    Bytes.of(Inputs.hexBytes(m.substring(eq + 1), "--mem '" + m + "'"))));
        }
        MmioAccess access = null;
        for (String m : mmio) {
            int eq = m.indexOf('=');
            int colon = m.indexOf(':');
            MemRegion region;
            String what = "--mmio '" + m + "'";
            if (eq >= 0) {
                region = new MemRegion(Inputs.number(m.substring(0, eq), 64, what), MemKind.MMIO,
                        Bytes.of(Inputs.hexBytes(m.substring(eq + 1), what)));
            } else if (colon >= 0) {
                int size = (int) Inputs.number(m.substring(colon + 1), 1, 1 << 20, what);
                region = new MemRegion(Inputs.number(m.substring(0, colon), 64, what), MemKind.MMIO, Bytes.of(new byte[size]));
            } else {
                throw new BadInputException(what + ": expected GPA:SIZE or GPA=HEX");
            }
            regions.add(region);
            if (access == null) {
                AccessType type = accessType(insn, mode);
                long v = gva == null ? 0 : Inputs.number(gva, 64, "--gva");
                access = new MmioAccess(region.gpa(), v, type, gva != null);
            }
        }
        List<PortValues> portValues = new ArrayList<>();
        for (String p : ports) {
            int eq = p.indexOf('=');
            String what = "--port '" + p + "'";
            if (eq < 0) {
                throw new BadInputException(what + ": expected PORT=VALUE,...");
            }
            int port = (int) Inputs.number(p.substring(0, eq), 16, what);
            List<Long> values = new ArrayList<>();
            for (String v : p.substring(eq + 1).split(",")) {
                if (!v.isBlank()) {
                    values.add(Inputs.number(v, 32, what));
                }
            }
            portValues.add(new PortValues(port, values));
        }
        List<Page> pageList = new ArrayList<>();
        for (String p : pages) {
            pageList.add(parsePage(p));
        }
        Integer cplValue = cpl == null ? null : (int) Inputs.number(cpl, 0, 3, "--cpl");
        if (accessType != null && access == null) {
            throw new BadInputException("--access: only for an MMIO exit (give --mmio)");
        }

        long cr0 = value(regValues, Register.CR0).low();
        boolean paging = (cr0 & (1L << 31)) != 0;
        if (!paging && !pageList.isEmpty()) {
            throw new BadInputException("--page: paging is off (set cr0 bit 31 with --reg cr0=...)");
        }
        RegValue cs = value(regValues, Register.CS);
        long rip = value(regValues, Register.RIP).low();
        if (!paging) {
            long linear = cs.low() + rip;
            if (!mode.is64()) {
                linear &= 0xffffffffL;
            }
            boolean overlaps = false;
            for (MemRegion r : regions) {
                overlaps |= Long.compareUnsigned(linear, r.end()) < 0 && Long.compareUnsigned(r.gpa(), linear + insn.length) < 0;
            }
            if (!overlaps) {
                regions.add(new MemRegion(linear, MemKind.RAM, Bytes.of(insn)));
            }
        }

        ExitCase.Exit exit;
        IoAccess io = null;
        if (access != null) {
            exit = ExitCase.Exit.MMIO;
        } else {
            io = portAccess(insn, value(regValues, Register.RDX).low());
            if (io == null) {
                throw new BadInputException("--hex: the instruction is not IN, OUT, INS or OUTS; for an MMIO exit give the access with --mmio GPA:SIZE");
            }
            exit = ExitCase.Exit.IO;
        }
        return new ExitCase("command-line", null, null, mode, exit, Bytes.of(insn), cplValue, regValues,
                paging ? pageList : null, regions, portValues, access, io, null, "hand");
    }

    private RegValue value(Map<Register, RegValue> given, Register r) {
        RegValue v = given.get(r);
        return v != null ? v : MachineDefaults.value(r, mode);
    }

    /**
     * The exit's access type: as given, or the one a processor would report for this instruction: the
     * first access to its memory operand, a write only for instructions that do not read it.
     */
    private AccessType accessType(byte[] insn, dev.hvex.CpuMode mode) {
        if (accessType == null) {
            dev.hvex.decode.DecodedInstruction d = new dev.hvex.decode.DecodedInstruction();
            if (dev.hvex.decode.Decoder.decode(insn, 0, insn.length, mode, d) == dev.hvex.decode.DecodeStatus.OK) {
                int first = dev.hvex.gen.Forms.operand(d.form, 0);
                int kinds = dev.hvex.interp.ExitConsistency.access(d, 0);
                int m = dev.hvex.gen.OperandCodes.method(first);
                boolean memory = m == dev.hvex.gen.OperandCodes.M_M || m == dev.hvex.gen.OperandCodes.M_O
                    || m == dev.hvex.gen.OperandCodes.M_Y || d.hasModrmMemory()
                    && (m == dev.hvex.gen.OperandCodes.M_E || m == dev.hvex.gen.OperandCodes.M_W);
                if (memory && kinds == dev.hvex.interp.Engine.WRITE) {
                    return AccessType.WRITE;
                }
            }
            return AccessType.READ;
        }
        switch (accessType.toLowerCase(Locale.ROOT)) {
            case "read":
                return AccessType.READ;
            case "write":
                return AccessType.WRITE;
            case "execute":
                return AccessType.EXECUTE;
            default:
                throw new BadInputException("--access: unknown type '" + accessType + "' (types: read, write, execute)");
        }
    }

    private static void parseRegister(String assignment, Map<Register, RegValue> into) {
        int eq = assignment.indexOf('=');
        if (eq < 0) {
            throw new BadInputException("--reg '" + assignment + "': expected NAME=VALUE");
        }
        String name = assignment.substring(0, eq).strip();
        String text = assignment.substring(eq + 1).strip();
        Register r = RegisterNames.byName(name);
        if (r == null) {
            throw new BadInputException("--reg: unknown register '" + name + "' (nearest: " + RegisterNames.nearest(name) + ")");
        }
        String what = "--reg " + name;
        switch (r.kind()) {
            case GPR:
                into.put(r, RegValue.of(Inputs.number(text, 64, what)));
                break;
            case VECTOR:
                try {
                    long[] v = Hex.parseU128(text);
                    into.put(r, new RegValue(v[1], v[0]));
                } catch (NumberFormatException e) {
                    throw new BadInputException(what + ": " + e.getMessage());
                }
                break;
            case SEGMENT: {
                String[] f = text.split(":");
                if (f.length != 4) {
                    throw new BadInputException(what + ": expected SEL:BASE:LIMIT:ATTR, got '" + text + "'");
                }
                into.put(r, RegValue.segment((int) Inputs.number(f[0], 16, what + " selector"), Inputs.number(f[1], 64, what + " base"),
                        (int) Inputs.number(f[2], 32, what + " limit"), (int) Inputs.number(f[3], 16, what + " attr")));
                break;
            }
            default: {
                String[] f = text.split(":");
                if (f.length != 2) {
                    throw new BadInputException(what + ": expected BASE:LIMIT, got '" + text + "'");
                }
                into.put(r, RegValue.table(Inputs.number(f[0], 64, what + " base"), (int) Inputs.number(f[1], 16, what + " limit")));
            }
        }
    }

    private static Page parsePage(String p) {
        String what = "--page '" + p + "'";
        int eq = p.indexOf('=');
        if (eq < 0) {
            throw new BadInputException(what + ": expected GVA=GPA[:wux]");
        }
        String rest = p.substring(eq + 1);
        String flags = "";
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            flags = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!flags.matches("[wux]*")) {
                throw new BadInputException(what + ": permissions are letters of 'wux', not '" + flags + "'");
            }
        }
        long va = Inputs.number(p.substring(0, eq), 64, what);
        long pa = Inputs.number(rest, 64, what);
        if (((va | pa) & 0xfff) != 0) {
            throw new BadInputException(what + ": addresses must be 4 KiB aligned");
        }
        return new Page(va, pa, flags.contains("w"), flags.contains("u"), flags.contains("x"));
    }

    /**
     * What a hypervisor reports for a port instruction (IN, OUT, INS, OUTS): port, size, direction,
     * string and REP. Null when the bytes are not one.
     */
    IoAccess portAccess(byte[] insn, long rdx) {
        boolean o16 = mode.defaultSize() == 2;
        boolean rep = false;
        int i = 0;
        for (; i < insn.length; i++) {
            int b = insn[i] & 0xff;
            if (b == 0x66) {
                o16 = mode.defaultSize() != 2;
            } else if (b == 0xf2 || b == 0xf3) {
                rep = true;
            } else if (b == 0x67 || b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65) {
                continue;
            } else if (mode.is64() && (b & 0xf0) == 0x40) {
                continue;
            } else {
                break;
            }
        }
        if (i >= insn.length) {
            return null;
        }
        int op = insn[i] & 0xff;
        int wide = o16 ? 2 : 4;
        int port = (int) (rdx & 0xffff);
        switch (op) {
            case 0xe4: case 0xe5: case 0xe6: case 0xe7:
                if (i + 1 >= insn.length) {
                    return null;
                }
                return new IoAccess(insn[i + 1] & 0xff, (op & 1) == 0 ? 1 : wide, op >= 0xe6, false, false);
            case 0xec: case 0xed: case 0xee: case 0xef:
                return new IoAccess(port, (op & 1) == 0 ? 1 : wide, op >= 0xee, false, false);
            case 0x6c: case 0x6d: case 0x6e: case 0x6f:
                return new IoAccess(port, (op & 1) == 0 ? 1 : wide, op >= 0x6e, true, rep);
            default:
                return null;
        }
    }

    // ---- output ---------------------------------------------------------------------------------------------

    private void printText(ReplayResult r) {
        PrintWriter out = spec.commandLine().getOut();
        for (DeviceAccess a : r.accesses()) {
            out.println(a);
        }
        for (ReplayResult.RegisterChange ch : r.registerChanges()) {
            out.println(ch);
        }
        for (ReplayResult.MemoryChange ch : r.memoryChanges()) {
            out.println(ch);
        }
        Outcome o = r.outcome();
        out.println("status: " + o.description());
        if (o.injection() != null) {
            out.println("inject: " + o.injection());
        }
        if (r.callbackFailure() != null) {
            out.println("note: " + r.callbackFailure());
        }
        if (r.checked()) {
            if (r.passed()) {
                out.println("expect: pass");
            } else {
                for (Difference d : r.differences()) {
                    out.println("differs: " + d);
                }
            }
        }
        out.flush();
    }

    private void printJson(ReplayResult r) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            Outcome o = r.outcome();
            g.writeStartObject();
            g.writeStringField("id", r.exitCase().id());
            g.writeStringField("outcome", o.word());
            g.writeStringField("status", o.description());
            g.writeStringField("bits", Hex.u64(o.bits() & 0xffffffffL));
            g.writeStringField("reason", o.reason().name().toLowerCase(Locale.ROOT));
            g.writeArrayFieldStart("accesses");
            for (DeviceAccess a : r.accesses()) {
                g.writeStartObject();
                g.writeStringField("space", a.space().label());
                g.writeStringField("dir", a.write() ? "w" : "r");
                g.writeStringField("addr", Hex.u64(a.addr()));
                g.writeNumberField("size", a.size());
                g.writeStringField("data", Hex.u64(a.data()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("registers");
            for (ReplayResult.RegisterChange ch : r.registerChanges()) {
                g.writeStartObject();
                g.writeStringField("name", RegisterNames.nameOf(ch.register()));
                g.writeStringField("old", ch.before().format(ch.register()));
                g.writeStringField("new", ch.after().format(ch.register()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("memory");
            for (ReplayResult.MemoryChange ch : r.memoryChanges()) {
                g.writeStartObject();
                g.writeStringField("gpa", Hex.u64(ch.gpa()));
                g.writeStringField("old", ch.before().hex());
                g.writeStringField("new", ch.after().hex());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (o.exceptionPending()) {
                g.writeObjectFieldStart("exception");
                g.writeNumberField("vector", o.vector());
                g.writeStringField("name", dev.hvex.EmulatorStatus.vectorName(o.vector()));
                if (o.hasErrorCode()) {
                    g.writeStringField("error", Hex.u64(o.errorCode() & 0xffffffffL));
                }
                if (o.vector() == 14) {
                    g.writeStringField("cr2", Hex.u64(o.cr2()));
                }
                g.writeEndObject();
            } else {
                g.writeNullField("exception");
            }
            if (r.callbackFailure() != null) {
                g.writeStringField("callbackFailure", r.callbackFailure());
            }
            if (r.checked()) {
                g.writeBooleanField("passed", r.passed());
                g.writeArrayFieldStart("differences");
                for (Difference d : r.differences()) {
                    g.writeStartObject();
                    g.writeStringField("field", d.field());
                    g.writeStringField("expected", d.expected());
                    g.writeStringField("got", d.got());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.println();
        out.flush();
    }
}
