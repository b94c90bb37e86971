package dev.hvex.conformance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hvex.Register;
import dev.hvex.conformance.ExitCase.Expectation;
import dev.hvex.conformance.ExitCase.MemBytes;
import dev.hvex.conformance.ExitCase.MemRegion;
import dev.hvex.conformance.ExitCase.Page;
import dev.hvex.conformance.ExitCase.PortValues;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes exit cases as JSON Lines in FORMAT.md's spelling, one case a line; a file whose name ends in
 * {@code .gz} is gzip-compressed.
 */
public final class CaseWriter implements Closeable {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final Writer out;
    private final JsonGenerator gen;

    public CaseWriter(Writer out) throws IOException {
        this.out = out;
        this.gen = FACTORY.createGenerator(out);
        gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        gen.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
    }

    public static CaseWriter create(Path file) throws IOException {
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            os = new GZIPOutputStream(os, 1 << 16);
        }
        return new CaseWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
    }

    /** One case as one line of JSON (without the newline). */
    public static String toJson(ExitCase c) {
        StringWriter sw = new StringWriter();
        try (CaseWriter w = new CaseWriter(sw)) {
            w.writeObject(c);
            w.gen.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    public void write(ExitCase c) throws IOException {
        writeObject(c);
        gen.flush();
        out.write('\n');
    }

    private void writeObject(ExitCase c) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("id", c.id());
        if (c.family() != null) {
            gen.writeStringField("family", c.family());
        }
        if (c.variant() != null) {
            gen.writeStringField("variant", c.variant());
        }
        gen.writeStringField("mode", c.mode().label());
        gen.writeStringField("exit", c.exit().label());
        gen.writeStringField("insn", c.insn().hex());
        if (c.cpl() != null) {
            gen.writeNumberField("cpl", c.cpl());
        }
        gen.writeFieldName("regs");
        registers(c.regs());
        if (c.pages() != null) {
            gen.writeArrayFieldStart("pages");
            for (Page pg : c.pages()) {
                gen.writeStartObject();
                hex("gva", pg.gva());
                hex("gpa", pg.gpa());
                gen.writeBooleanField("w", pg.w());
                gen.writeBooleanField("u", pg.u());
                gen.writeBooleanField("x", pg.x());
                gen.writeEndObject();
            }
            gen.writeEndArray();
        }
        gen.writeArrayFieldStart("mem");
        for (MemRegion r : c.mem()) {
            gen.writeStartObject();
            hex("gpa", r.gpa());
            gen.writeStringField("kind", r.kind().label());
            gen.writeStringField("hex", r.bytes().hex());
            gen.writeEndObject();
        }
        gen.writeEndArray();
        if (!c.ports().isEmpty()) {
            gen.writeArrayFieldStart("ports");
            for (PortValues pv : c.ports()) {
                gen.writeStartObject();
                hex("port", pv.port());
                gen.writeArrayFieldStart("values");
                for (long v : pv.values()) {
                    gen.writeString(Hex.u64(v));
                }
                gen.writeEndArray();
                gen.writeEndObject();
            }
            gen.writeEndArray();
        }
        if (c.access() != null) {
            gen.writeObjectFieldStart("access");
            hex("gpa", c.access().gpa());
            hex("gva", c.access().gva());
            gen.writeStringField("type", c.access().type().label());
            gen.writeBooleanField("gvaValid", c.access().gvaValid());
            gen.writeEndObject();
        }
        if (c.io() != null) {
            gen.writeObjectFieldStart("io");
            hex("port", c.io().port());
            gen.writeNumberField("size", c.io().size());
            gen.writeBooleanField("write", c.io().write());
            gen.writeBooleanField("string", c.io().string());
            gen.writeBooleanField("rep", c.io().rep());
            gen.writeEndObject();
        }
        if (c.expect() != null) {
            expectation(c.expect());
        }
        if (c.source() != null) {
            gen.writeStringField("source", c.source());
        }
        gen.writeEndObject();
    }

    private void expectation(Expectation e) throws IOException {
        gen.writeObjectFieldStart("expect");
        gen.writeStringField("status", e.status().label());
        if (e.fault() != null) {
            gen.writeObjectFieldStart("fault");
            gen.writeNumberField("vector", e.fault().vector());
            if (e.fault().error() != null) {
                hex("error", e.fault().error());
            }
            if (e.fault().cr2() != null) {
                hex("cr2", e.fault().cr2());
            }
            gen.writeEndObject();
        }
        gen.writeFieldName("regs");
        registers(e.regs());
        if (e.flagsMask() != null) {
            hex("flagsMask", e.flagsMask());
        }
        gen.writeArrayFieldStart("mem");
        for (MemBytes m : e.mem()) {
            gen.writeStartObject();
            hex("gpa", m.gpa());
            gen.writeStringField("hex", m.bytes().hex());
            gen.writeEndObject();
        }
        gen.writeEndArray();
        if (e.accesses() != null) {
            gen.writeArrayFieldStart("accesses");
            for (DeviceAccess a : e.accesses()) {
                gen.writeStartObject();
                gen.writeStringField("space", a.space().label());
                gen.writeStringField("dir", a.write() ? "w" : "r");
                hex("addr", a.addr());
                gen.writeNumberField("size", a.size());
                hex("data", a.data());
                gen.writeEndObject();
            }
            gen.writeEndArray();
        }
        gen.writeEndObject();
    }

    private void registers(Map<Register, RegValue> regs) throws IOException {
        gen.writeStartObject();
        for (Map.Entry<Register, RegValue> en : regs.entrySet()) {
            Register r = en.getKey();
            RegValue v = en.getValue();
            String name = RegisterNames.nameOf(r);
            switch (r.kind()) {
                case GPR:
                    hex(name, v.low());
                    break;
                case VECTOR:
                    gen.writeStringField(name, Hex.u128(v.high(), v.low()));
                    break;
                case SEGMENT:
                    gen.writeObjectFieldStart(name);
                    hex("sel", v.selector());
                    hex("base", v.low());
                    hex("limit", v.limit() & 0xffffffffL);
                    hex("attr", v.attributes());
                    gen.writeEndObject();
                    break;
                default:
                    gen.writeObjectFieldStart(name);
                    hex("base", v.low());
                    hex("limit", v.high() & 0xffff);
                    gen.writeEndObject();
            }
        }
        gen.writeEndObject();
    }

    private void hex(String name, long value) throws IOException {
        gen.writeStringField(name, Hex.u64(value));
    }

    public void flush() throws IOException {
        gen.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        gen.close();
        out.close();
    }
}
