package dev.hvex.conformance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.hvex.CpuMode;
import dev.hvex.Register;
import dev.hvex.conformance.ExitCase.AccessType;
import dev.hvex.conformance.ExitCase.Exit;
import dev.hvex.conformance.ExitCase.Expectation;
import dev.hvex.conformance.ExitCase.Fault;
import dev.hvex.conformance.ExitCase.IoAccess;
import dev.hvex.conformance.ExitCase.MemBytes;
import dev.hvex.conformance.ExitCase.MemKind;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.MmioAccess;
import dev.hvex.conformance.ExitCase.Page;
import dev.hvex.conformance.ExitCase.PortValues;
import dev.hvex.conformance.ExitCase.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one line of a case file (one JSON object) into an {@link ExitCase} with Jackson's streaming
 * parser, so that every error knows its line and column. Not thread-safe; reusable line after line.
 */
public final class CaseParser {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final String source;
    private String text;
    private int lineNumber;
    private String caseId;
    private JsonParser p;

    /** @param source the file name used in error messages */
    public CaseParser(String source) {
        this.source = source;
    }

    /** Parses one case from {@code json}, the text of line {@code lineNumber} of the source. */
    public ExitCase parse(String json, int lineNumber) {
        this.text = json;
        this.lineNumber = lineNumber;
        this.caseId = null;
        try (JsonParser parser = FACTORY.createParser(json)) {
            p = parser;
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(null, "a case must be a JSON object");
            }
            ExitCase c = readCase();
            if (p.nextToken() != null) {
                throw error(null, "text after the case object (one case a line)");
            }
            return c;
        } catch (JsonProcessingException e) {
            int col = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
            throw new CaseFormatException(source, lineNumber, col, guessId(), null,
                    "malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            p = null;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private String guessId() {
        if (caseId != null) {
            return caseId;
        }
        Matcher m = ID.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    // ---- the case object ------------------------------------------------------------------------

    private ExitCase readCase() throws IOException {
        int startColumn = column();
        String id = null;
        String family = null;
        String variant = null;
        CpuMode mode = null;
        Exit exit = null;
        Bytes insn = null;
        Integer cpl = null;
        Map<Register, RegValue> regs = null;
        List<Page> pages = null;
        List<MemRegion> mem = null;
        List<PortValues> ports = null;
        MmioAccess access = null;
        IoAccess io = null;
        Expectation expect = null;
        String src = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "id":
                    id = string();
                    caseId = id;
                    break;
                case "family":
                    family = string();
                    break;
                case "variant":
                    variant = string();
                    break;
                case "mode":
                    mode = mode();
                    break;
                case "exit":
                    exit = exit();
                    break;
                case "insn":
                    insn = bytes(16);
                    break;
                case "cpl":
                    cpl = (int) small(0, 3);
                    break;
                case "regs":
                    regs = registers();
                    break;
                case "pages":
                    pages = array(this::page);
                    break;
                case "mem":
                    mem = array(this::region);
                    break;
                case "ports":
                    ports = array(this::ports);
                    break;
                case "access":
                    access = access();
                    break;
                case "io":
                    io = io();
                    break;
                case "expect":
                    expect = expectation();
                    break;
                case "source":
                    src = string();
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(id, "", "id", startColumn);
        require(mode, "", "mode", startColumn);
        require(exit, "", "exit", startColumn);
        require(insn, "", "insn", startColumn);
        require(regs, "", "regs", startColumn);
        require(mem, "", "mem", startColumn);
        if (exit == Exit.MMIO) {
            require(access, "", "access", startColumn);
        } else {
            require(io, "", "io", startColumn);
        }
        RegValue cr0 = regs.get(Register.CR0);
        long cr0Value = cr0 != null ? cr0.low() : MachineDefaults.value(Register.CR0, mode).low();
        if ((cr0Value & (1L << 31)) != 0) {
            require(pages, "", "pages", startColumn);
        }
        return new ExitCase(id, family, variant, mode, exit, insn, cpl, regs, pages, mem, ports, access, io, expect, src);
    }

    private void require(Object value, String objectPath, String key, int objectColumn) {
        if (value == null) {
            String full = objectPath.isEmpty() ? key : objectPath + "." + key;
            throw new CaseFormatException(source, lineNumber, objectColumn, guessId(), full,
                    "missing required key '" + full + "'");
        }
    }

    private CpuMode mode() throws IOException {
        String s = string();
        CpuMode m = CpuMode.fromLabel(s);
        if (m == null) {
            throw error(path(), "unknown mode '" + s + "' (modes: " + modeList() + ")");
        }
        return m;
    }

    /** The mode labels, comma-separated. */
    public static String modeList() {
        StringBuilder sb = new StringBuilder();
        for (CpuMode m : CpuMode.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(m.label());
        }
        return sb.toString();
    }

    private Exit exit() throws IOException {
        return word("exit", new String[] {"mmio", "io"}, new Exit[] {Exit.MMIO, Exit.IO});
    }

    // ---- registers --------------------------------------------------------------------------------

    private Map<Register, RegValue> registers() throws IOException {
        expectToken(JsonToken.START_OBJECT, "an object of registers");
        Map<Register, RegValue> regs = new EnumMap<>(Register.class);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            Register r = RegisterNames.byName(name);
            if (r == null) {
                throw error(path(), "unknown register '" + name + "' (nearest: " + RegisterNames.nearest(name) + ")");
            }
            p.nextToken();
            regs.put(r, register(r));
        }
        return regs;
    }

    private RegValue register(Register r) throws IOException {
        switch (r.kind()) {
            case GPR:
                return RegValue.of(number(64));
            case VECTOR:
                return vector();
            case SEGMENT:
                return segment();
            default:
                return table();
        }
    }

    private RegValue vector() throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error(path(), "a 128-bit value must be a string of 0x and 32 hex digits");
        }
        try {
            long[] v = Hex.parseU128(p.getText());
            return new RegValue(v[1], v[0]);
        } catch (NumberFormatException e) {
            throw error(path(), e.getMessage());
        }
    }

    private RegValue segment() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a segment object {sel, base, limit, attr}");
        Long sel = null;
        Long base = null;
        Long limit = null;
        Long attr = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "sel":
                    sel = number(16);
                    break;
                case "base":
                    base = number(64);
                    break;
                case "limit":
                    limit = number(32);
                    break;
                case "attr":
                    attr = number(16);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(sel, at, "sel", col);
        require(base, at, "base", col);
        require(limit, at, "limit", col);
        require(attr, at, "attr", col);
        return RegValue.segment(sel.intValue(), base, limit.intValue(), attr.intValue());
    }

    private RegValue table() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a table object {base, limit}");
        Long base = null;
        Long limit = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "base":
                    base = number(64);
                    break;
                case "limit":
                    limit = number(16);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(base, at, "base", col);
        require(limit, at, "limit", col);
        return RegValue.table(base, limit.intValue());
    }

    // ---- pages, memory, ports, exit info -----------------------------------------------------------

    private Page page() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a page object {gva, gpa, w, u, x}");
        Long gva = null;
        Long gpa = null;
        Boolean w = null;
        Boolean u = null;
        Boolean x = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "gva":
                    gva = aligned(number(64));
                    break;
                case "gpa":
                    gpa = aligned(number(64));
                    break;
                case "w":
                    w = bool();
                    break;
                case "u":
                    u = bool();
                    break;
                case "x":
                    x = bool();
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(gva, at, "gva", col);
        require(gpa, at, "gpa", col);
        require(w, at, "w", col);
        require(u, at, "u", col);
        require(x, at, "x", col);
        return new Page(gva, gpa, w, u, x);
    }

    private long aligned(long v) throws IOException {
        if ((v & 0xfff) != 0) {
            throw error(path(), Hex.u64(v) + " is not 4 KiB aligned");
        }
        return v;
    }

    private MemRegion region() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a memory region {gpa, kind, hex}");
        Long gpa = null;
        MemKind kind = null;
        Bytes hex = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "gpa":
                    gpa = number(64);
                    break;
                case "kind":
                    kind = word("kind", new String[] {"ram", "mmio"}, new MemKind[] {MemKind.RAM, MemKind.MMIO});
                    break;
                case "hex":
                    hex = bytes(Integer.MAX_VALUE);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(gpa, at, "gpa", col);
        require(kind, at, "kind", col);
        require(hex, at, "hex", col);
        return new MemRegion(gpa, kind, hex);
    }

    private PortValues ports() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a port object {port, values}");
        Long port = null;
        List<Long> values = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "port":
                    port = number(16);
                    break;
                case "values":
                    values = array(() -> number(32));
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(port, at, "port", col);
        require(values, at, "values", col);
        return new PortValues(port.intValue(), values);
    }

    private MmioAccess access() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "an access object {gpa, gva, type, gvaValid}");
        Long gpa = null;
        Long gva = null;
        AccessType type = null;
        Boolean gvaValid = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "gpa":
                    gpa = number(64);
                    break;
                case "gva":
                    gva = number(64);
                    break;
                case "type":
                    type = word("type", new String[] {"read", "write", "execute"},
                        new AccessType[] {AccessType.READ, AccessType.WRITE, AccessType.EXECUTE});
                    break;
                case "gvaValid":
                    gvaValid = bool();
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(gpa, at, "gpa", col);
        require(type, at, "type", col);
        return new MmioAccess(gpa, gva == null ? 0 : gva, type, gvaValid != null ? gvaValid : gva != null);
    }

    private IoAccess io() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "an io object {port, size, write, string, rep}");
        Long port = null;
        Integer size = null;
        Boolean write = null;
        boolean string = false;
        boolean rep = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "port":
                    port = number(16);
                    break;
                case "size": {
                    long s = small(1, 4);
                    if (s == 3) {
                        throw error(path(), "port access size must be 1, 2 or 4, not 3");
                    }
                    size = (int) s;
                    break;
                }
                case "write":
                    write = bool();
                    break;
                case "string":
                    string = bool();
                    break;
                case "rep":
                    rep = bool();
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(port, at, "port", col);
        require(size, at, "size", col);
        require(write, at, "write", col);
        return new IoAccess(port.intValue(), size, write, string, rep);
    }

    // ---- expectations ------------------------------------------------------------------------------

    private Expectation expectation() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "an expect object");
        Status status = null;
        Fault fault = null;
        Map<Register, RegValue> regs = null;
        Long flagsMask = null;
        List<MemBytes> mem = null;
        List<DeviceAccess> accesses = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "status":
                    status = word("status", new String[] {"ok", "fault", "unsupported"},
                        new Status[] {Status.OK, Status.FAULT, Status.UNSUPPORTED});
                    break;
                case "fault":
                    fault = fault();
                    break;
                case "regs":
                    regs = registers();
                    break;
                case "flagsMask":
                    flagsMask = number(64);
                    break;
                case "mem":
                    mem = array(this::memBytes);
                    break;
                case "accesses":
                    accesses = array(this::deviceAccess);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(status, at, "status", col);
        if (status == Status.FAULT) {
            require(fault, at, "fault", col);
        }
        return new Expectation(status, fault, regs, flagsMask, mem, accesses);
    }

    private Fault fault() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a fault object {vector, error, cr2}");
        Integer vector = null;
        Long error = null;
        Long cr2 = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "vector":
                    vector = (int) small(0, 255);
                    break;
                case "error":
                    error = number(32);
                    break;
                case "cr2":
                    cr2 = number(64);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(vector, at, "vector", col);
        return new Fault(vector, error, cr2);
    }

    private MemBytes memBytes() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "a memory object {gpa, hex}");
        Long gpa = null;
        Bytes hex = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "gpa":
                    gpa = number(64);
                    break;
                case "hex":
                    hex = bytes(Integer.MAX_VALUE);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(gpa, at, "gpa", col);
        require(hex, at, "hex", col);
        return new MemBytes(gpa, hex);
    }

    private DeviceAccess deviceAccess() throws IOException {
        String at = path();
        int col = column();
        expectToken(JsonToken.START_OBJECT, "an access object {space, dir, addr, size, data}");
        DeviceAccess.Space space = null;
        Boolean write = null;
        Long addr = null;
        Integer size = null;
        Long data = null;
        int dataColumn = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "space":
                    space = word("space", new String[] {"mmio", "io"},
                        new DeviceAccess.Space[] {DeviceAccess.Space.MMIO, DeviceAccess.Space.IO});
                    break;
                case "dir":
                    write = word("dir", new String[] {"r", "w"}, new Boolean[] {false, true});
                    break;
                case "addr":
                    addr = number(64);
                    break;
                case "size":
                    size = (int) small(1, 8);
                    break;
                case "data":
                    dataColumn = column();
                    data = number(64);
                    break;
                default:
                    p.skipChildren();
            }
        }
        require(space, at, "space", col);
        require(write, at, "dir", col);
        require(addr, at, "addr", col);
        require(size, at, "size", col);
        require(data, at, "data", col);
        if (size < 8 && (data >>> (8 * size)) != 0) {
            throw new CaseFormatException(source, lineNumber, dataColumn, guessId(), at + ".data",
                    at + ".data: " + Hex.u64(data) + " does not fit " + size + " byte" + (size == 1 ? "" : "s"));
        }
        return new DeviceAccess(space, write, addr, size, data);
    }

    // ---- values -------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface ValueReader<T> {
        T read() throws IOException;
    }

    private <T> List<T> array(ValueReader<T> element) throws IOException {
        expectToken(JsonToken.START_ARRAY, "an array");
        List<T> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            list.add(element.read());
        }
        return list;
    }

    private void expectToken(JsonToken token, String what) throws IOException {
        if (p.currentToken() != token) {
            throw error(path(), "expected " + what + ", got " + describe(p.currentToken()));
        }
    }

    /** The value of a field that takes one of {@code words}, as the matching element of {@code values}. */
    private <E> E word(String field, String[] words, E[] values) throws IOException {
        String s = string();
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals(s)) {
                return values[i];
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            allowed.append(i == 0 ? "" : i == words.length - 1 ? " or " : ", ").append('"').append(words[i]).append('"');
        }
        throw error(path(), field + " must be " + allowed + ", not \"" + s + "\"");
    }

    private String string() throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error(path(), "expected a string, got " + describe(p.currentToken()));
        }
        return p.getText();
    }

    private boolean bool() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        throw error(path(), "expected true or false, got " + describe(t));
    }

    /** An unsigned number of at most {@code bits} bits: a {@code "0x.."} string or a JSON integer. */
    private long number(int bits) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (!(s.startsWith("0x") || s.startsWith("0X"))) {
                throw error(path(), "expected 0x and hex digits, got \"" + s + "\"");
            }
            try {
                return Hex.parseUnsigned(s, bits);
            } catch (NumberFormatException e) {
                throw error(path(), e.getMessage());
            }
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0 || v.compareTo(TWO_64) >= 0 || (bits < 64 && v.bitLength() > bits)) {
                throw error(path(), v + " is out of range (" + bits + " bits)");
            }
            return v.longValue();
        }
        throw error(path(), "expected a number (\"0x..\" or an integer), got " + describe(t));
    }

    private long small(long min, long max) throws IOException {
        long v = number(64);
        if (v < min || v > max) {
            throw error(path(), v + " is out of range (" + min + ".." + max + ")");
        }
        return v;
    }

    private Bytes bytes(int maxLength) throws IOException {
        String s = string();
        Bytes b;
        try {
            b = Bytes.ofHex(s);
        } catch (IllegalArgumentException e) {
            throw error(path(), e.getMessage());
        }
        if (b.length() > maxLength) {
            throw error(path(), b.length() + " bytes, at most " + maxLength + " allowed");
        }
        return b;
    }

    private String describe(JsonToken t) throws IOException {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "the string \"" + p.getText() + "\"";
            case VALUE_NULL:
                return "null";
            default:
                return p.getText();
        }
    }

    // ---- locations ------------------------------------------------------------------------------------

    private int column() {
        return p.currentTokenLocation().getColumnNr();
    }

    /** The dotted path of the current value: {@code regs.cs.attr}, {@code mem[1].gpa}. */
    private String path() {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                if (c.getCurrentIndex() >= 0 && !(c == p.getParsingContext() && p.currentToken() == JsonToken.START_ARRAY)) {
                    parts.addFirst("[" + c.getCurrentIndex() + "]");
                }
            } else if (c.inObject() && c.getCurrentName() != null) {
                parts.addFirst("." + c.getCurrentName());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String s : parts) {
            sb.append(s);
        }
        return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }

    private CaseFormatException error(String key, String problem) {
        String message = key == null || key.isEmpty() ? problem : key + ": " + problem;
        return new CaseFormatException(source, lineNumber, column(), guessId(), key, message);
    }
}
