package dev.hvex.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: small hand-written cases. */
final class Cases {
    private Cases() {
    }

    /** A prot32 MMIO case, paging off: "mov eax,[0x1000]" style bytes, RAM code at 0x100, MMIO at 0x1000. */
    static final String PROT32 = "{\"id\":\"t/prot32/1\",\"family\":\"mov\",\"mode\":\"prot32\",\"exit\":\"mmio\","
            + "\"insn\":\"a100100000\",\"regs\":{\"rax\":\"0x11\",\"rip\":\"0x100\",\"rflags\":\"0x2\",\"cr0\":\"0x11\","
            + "\"cs\":{\"sel\":\"0x8\",\"base\":\"0x0\",\"limit\":\"0xffffffff\",\"attr\":\"0xc09b\"}},"
            + "\"mem\":[{\"gpa\":\"0x100\",\"kind\":\"ram\",\"hex\":\"a100100000f4\"},"
            + "{\"gpa\":\"0x1000\",\"kind\":\"mmio\",\"hex\":\"4433221155667788\"}],"
            + "\"access\":{\"gpa\":\"0x1000\",\"type\":\"read\"},"
            + "\"expect\":{\"status\":\"ok\",\"regs\":{\"rax\":\"0x11223344\",\"rip\":\"0x105\"},\"flagsMask\":\"0x8d5\",\"mem\":[],"
            + "\"accesses\":[{\"space\":\"mmio\",\"dir\":\"r\",\"addr\":\"0x1000\",\"size\":4,\"data\":\"0x11223344\"}]}}";

    /** A long64 MMIO case with paging at CPL 3. */
    static final String LONG64 = "{\"id\":\"t/long64/1\",\"mode\":\"long64\",\"exit\":\"mmio\",\"insn\":\"8b03\",\"cpl\":3,"
            + "\"regs\":{\"rbx\":\"0x7000\",\"rip\":\"0x400000\",\"cr0\":\"0x80010033\",\"efer\":\"0xd01\","
            + "\"cs\":{\"sel\":\"0x33\",\"base\":\"0x0\",\"limit\":\"0xffffffff\",\"attr\":\"0xa0fb\"}},"
            + "\"pages\":[{\"gva\":\"0x400000\",\"gpa\":\"0x10000\",\"w\":false,\"u\":true,\"x\":true},"
            + "{\"gva\":\"0x7000\",\"gpa\":\"0xd0000000\",\"w\":true,\"u\":true,\"x\":false},"
            + "{\"gva\":\"0x8000\",\"gpa\":\"0xd0001000\",\"w\":false,\"u\":true,\"x\":false},"
            + "{\"gva\":\"0x9000\",\"gpa\":\"0xd0002000\",\"w\":true,\"u\":false,\"x\":true}],"
            + "\"mem\":[{\"gpa\":\"0x10000\",\"kind\":\"ram\",\"hex\":\"8b03\"},{\"gpa\":\"0xd0000000\",\"kind\":\"mmio\",\"hex\":\"01020304\"}],"
            + "\"access\":{\"gpa\":\"0xd0000000\",\"gva\":\"0x7000\",\"type\":\"read\",\"gvaValid\":true}}";

    /** A real-mode port-I/O case: IN AL,DX twice-valued port. */
    static final String IO = "{\"id\":\"t/io/1\",\"mode\":\"real16\",\"exit\":\"io\",\"insn\":\"ec\","
            + "\"regs\":{\"rax\":\"0xffff\",\"rdx\":\"0x3f8\",\"rip\":\"0x7c00\",\"rflags\":\"0x2\",\"cr0\":\"0x10\"},"
            + "\"mem\":[{\"gpa\":\"0x7c00\",\"kind\":\"ram\",\"hex\":\"ec\"}],"
            + "\"ports\":[{\"port\":\"0x3f8\",\"values\":[\"0x41\",\"0x42\"]}],"
            + "\"io\":{\"port\":\"0x3f8\",\"size\":1,\"write\":false,\"string\":false,\"rep\":false},"
            + "\"expect\":{\"status\":\"ok\",\"regs\":{\"rax\":\"0xff41\",\"rip\":\"0x7c01\"},\"mem\":[],"
            + "\"accesses\":[{\"space\":\"io\",\"dir\":\"r\",\"addr\":\"0x3f8\",\"size\":1,\"data\":\"0x41\"}]}}";

    static ExitCase parse(String json) {
        return new CaseParser("test.jsonl").parse(json, 1);
    }

    static List<ExitCase> resource(String name) {
        List<ExitCase> list = new ArrayList<>();
        try (InputStream in = Cases.class.getResourceAsStream("/conformance/" + name);
             CaseReader r = CaseReader.open(in, name)) {
            for (ExitCase c : r) {
                list.add(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return list;
    }
}
