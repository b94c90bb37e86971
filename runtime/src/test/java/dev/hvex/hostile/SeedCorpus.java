package dev.hvex.hostile;

import dev.hvex.CpuMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the committed seed inputs of the fuzz tests: one representative instruction per family in
 * several modes, with REP, paging faults, failing callbacks and port exits. Run from the runtime
 * module directory with the test classpath: {@code java dev.hvex.hostile.SeedCorpus src/test/resources}.
 */
public final class SeedCorpus {
    private SeedCorpus() {
    }

    /** Family name -> 64-bit encoding using [rdi] (or the family's implicit operands). */
    static final Map<String, String> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put("mov", "894708");
        FAMILIES.put("mov-load", "8b4708");
        FAMILIES.put("mov-moffs", "a10820000000000000");
        FAMILIES.put("movx", "0fb607");
        FAMILIES.put("movsx", "0fbf07");
        FAMILIES.put("alu", "0107");
        FAMILIES.put("alu-imm", "8107ffffff7f");
        FAMILIES.put("cmp", "3b07");
        FAMILIES.put("test", "8507");
        FAMILIES.put("incdec", "ff07");
        FAMILIES.put("notneg", "f71f");
        FAMILIES.put("xchg", "8707");
        FAMILIES.put("cmpxchg", "0fb10f");
        FAMILIES.put("cx8", "0fc70f");
        FAMILIES.put("cx16", "480fc70f");
        FAMILIES.put("xadd", "0fc107");
        FAMILIES.put("bt", "0fab07");
        FAMILIES.put("bt-imm", "0fba2f05");
        FAMILIES.put("shift", "d327");
        FAMILIES.put("rcl", "d117");
        FAMILIES.put("setcc", "0f9407");
        FAMILIES.put("cmovcc", "0f4407");
        FAMILIES.put("movbe", "0f38f007");
        FAMILIES.put("movbe-store", "0f38f107");
        FAMILIES.put("movnti", "0fc307");
        FAMILIES.put("push", "ff37");
        FAMILIES.put("pop", "8f07");
        FAMILIES.put("movs", "a5");
        FAMILIES.put("rep-movs", "f3a5");
        FAMILIES.put("rep-stos", "f3ab");
        FAMILIES.put("repe-cmps", "f3a7");
        FAMILIES.put("lods", "ad");
        FAMILIES.put("rep-lods", "f3ac");
        FAMILIES.put("repne-scas", "f2ae");
        FAMILIES.put("rep-ins", "f36d");
        FAMILIES.put("rep-outs", "f36e");
        FAMILIES.put("in", "e410");
        FAMILIES.put("out-dx", "ef");
        FAMILIES.put("sse-store", "0f1107");
        FAMILIES.put("sse-load", "0f1007");
        FAMILIES.put("movd", "660f7e07");
        FAMILIES.put("movq", "f30f7e07");
        FAMILIES.put("avx128", "c5f81107");
        FAMILIES.put("avx256", "c5fc1107");
        FAMILIES.put("avx256-load", "c5fc1007");
        FAMILIES.put("clflush", "0fae3f");
        FAMILIES.put("lock-add", "f00107");
        FAMILIES.put("fs-mov", "64894708");
        FAMILIES.put("rip-rel", "8b0510000000");
        FAMILIES.put("sib", "8b04b7");
        FAMILIES.put("a32", "67894708");
    }

    static Map<String, byte[]> emulatorSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> f : FAMILIES.entrySet()) {
            String hex = f.getValue();
            boolean port = f.getKey().contains("ins") || f.getKey().contains("outs") || f.getKey().startsWith("in")
                || f.getKey().startsWith("out");
            seeds.put("long64-" + f.getKey(), Scenario.builder().mode(CpuMode.LONG64).insn(hex).io(port).seed(i++).build());
            seeds.put("prot32-" + f.getKey(), Scenario.builder().mode(CpuMode.PROT32).insn(hex).io(port)
                .flags(0x0c).seed(i++).build());
            seeds.put("real16-" + f.getKey(), Scenario.builder().mode(CpuMode.REAL16).insn(hex).io(port)
                .gpr(7, 5, -8).gpr(6, 5, -2).seed(i++).build());
            // not all bytes reported: the rest is fetched
            seeds.put("fetch-" + f.getKey(), Scenario.builder().mode(CpuMode.LONG64).insn(hex).count(1).io(port)
                .rip(1).seed(i++).build());
            // the n-th callback of each kind fails
            for (int kind = 1; kind <= 6; kind++) {
                seeds.put("fail" + kind + "-" + f.getKey(), Scenario.builder().mode(CpuMode.LONG64).insn(hex).io(port)
                    .fail(kind, kind == 6 ? 3 : 1, kind % 2 == 0).seed(i++).build());
            }
            // page faults and odd translations
            seeds.put("pf-" + f.getKey(), Scenario.builder().mode(CpuMode.LONG64).insn(hex).io(port).pages(0x02)
                .gpr(7, 3, 0).gpr(6, 3, 0).seed(i++).build());
            seeds.put("odd-translate-" + f.getKey(), Scenario.builder().mode(CpuMode.COMPAT32).insn(hex).io(port)
                .pages(0x4d).seed(i++).build());
        }
        // REP with RCX = 2^64-1 and DF=1, budget 64
        seeds.put("rep-huge", Scenario.builder().mode(CpuMode.LONG64).insn("f3a5").gpr(1, 15, 0).flags(1)
            .gpr(6, 0, 0).gpr(7, 0, 0).budget(64).build());
        seeds.put("rep-huge-16", Scenario.builder().mode(CpuMode.REAL16).insn("f3a5").gpr(1, 15, 0).flags(1)
            .budget(64).build());
        seeds.put("vm86-mov", Scenario.builder().mode(CpuMode.VM86).insn("894708").build());
        seeds.put("prot16-small-cs", Scenario.builder().mode(CpuMode.PROT16).insn("8b870001").count(0)
            .segments(0x8000).build());
        seeds.put("compat16-push", Scenario.builder().mode(CpuMode.COMPAT16).insn("ff37").build());
        seeds.put("segments", Scenario.builder().mode(CpuMode.PROT32).insn("26894708").segments(0x7fff).build());
        seeds.put("interrupt-pending", Scenario.builder().mode(CpuMode.LONG64).insn("894708").fail(0xf0, 0, false).build());
        return seeds;
    }

    static Map<String, byte[]> decoderSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int m = 0;
        for (Map.Entry<String, String> f : FAMILIES.entrySet()) {
            byte[] insn = dev.hvex.testing.Exits.hex(f.getValue());
            for (int avail : new int[] {insn.length, 15, insn.length - 1}) {
                byte[] b = new byte[1 + insn.length];
                b[0] = (byte) ((m++ % 7) | (Math.max(avail, 0) << 3));
                System.arraycopy(insn, 0, b, 1, insn.length);
                seeds.put(f.getKey() + "-" + avail + "-" + (m % 7), b);
            }
        }
        String[] odd = {
            "666666666666666666666666666666", "f0f2f3262e363e646566674889", "c4e27d1807", "62f17c481007",
            "0f0f0a0b", "c5", "48", "0f38", "0f3a0f0102", "8f", "d9f0", "6766a1ffffffffffffffff",
        };
        for (String h : odd) {
            byte[] insn = dev.hvex.testing.Exits.hex(h);
            for (int mode = 0; mode < 7; mode++) {
                byte[] b = new byte[1 + insn.length];
                b[0] = (byte) (mode | (15 << 3));
                System.arraycopy(insn, 0, b, 1, insn.length);
                seeds.put("odd-" + h + "-" + mode, b);
            }
        }
        return seeds;
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        write(root.resolve("dev/hvex/hostile/EmulatorFuzzTestInputs/emulate"), emulatorSeeds());
        write(root.resolve("dev/hvex/hostile/DecoderFuzzTestInputs/decode"), decoderSeeds());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
        }
    }
}
