package dev.hvex.spec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads every {@code *.yaml} of a spec folder into a {@link Spec}, checking it as it goes. Works on
 * YAML nodes rather than plain maps so that every complaint can name the file and line.
 */
public final class SpecLoader {
    static final String FAMILIES_FILE = "families.yaml";

    private static final Set<String> FILE_KEYS = Set.of("defaults", "entries", "recognize");
    private static final Set<String> ENTRY_KEYS = Set.of("mnem", "enc", "ops", "family", "op", "form", "modes",
        "osz", "lock", "rep", "align", "cpuid", "flags", "note", "w", "group");
    private static final Set<String> FLAG_KEYS = Set.of("read", "write", "set", "clear", "undef");
    private static final Set<String> BLOCK_KEYS = Set.of("map", "opcodes", "modrm", "imm8", "group", "prefix", "l", "w");
    private static final String[] CONDITIONS = {"O", "NO", "B", "AE", "E", "NE", "BE", "A",
        "S", "NS", "P", "NP", "L", "GE", "LE", "G"};

    private SpecLoader() {
    }

    /** Loads and validates the spec in {@code dir}. */
    public static Spec load(Path dir) throws IOException {
        Path familiesFile = dir.resolve(FAMILIES_FILE);
        if (!Files.exists(familiesFile)) {
            throw new SpecException(familiesFile.toString(), 1, "missing: every spec folder has a families.yaml");
        }
        Map<String, List<String>> families = loadFamilies(familiesFile);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                .filter(p -> !p.getFileName().toString().equals(FAMILIES_FILE))
                .sorted().toList();
        }
        List<Entry> entries = new ArrayList<>();
        List<RecognizeBlock> blocks = new ArrayList<>();
        for (Path f : files) {
            loadFile(f, families, entries, blocks);
        }
        Validator.check(entries, blocks);
        return new Spec(families, entries, blocks);
    }

    private static Node compose(Path file) throws IOException {
        String name = file.getFileName().toString();
        LoadSettings settings = LoadSettings.builder().setLabel(name).build();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, r)));
            if (!composer.hasNext()) {
                throw new SpecException(name, 1, "empty file");
            }
            return composer.next();
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            throw new SpecException(name, line, "YAML: " + e.getProblem());
        }
    }

    private static Map<String, List<String>> loadFamilies(Path file) throws IOException {
        Ctx ctx = new Ctx(file.getFileName().toString());
        Node root = compose(file);
        Map<String, List<String>> families = new LinkedHashMap<>();
        MappingNode m = ctx.mapping(root, "families.yaml must be a mapping: family -> list of operations");
        for (NodeTuple t : m.getValue()) {
            String name = ctx.scalar(t.getKeyNode());
            if (families.containsKey(name)) {
                throw ctx.error(t.getKeyNode(), "family '" + name + "' listed twice");
            }
            List<String> ops = new ArrayList<>();
            Node v = t.getValueNode();
            if (!(v instanceof ScalarNode s && s.getValue().isEmpty())) {
                for (Node op : ctx.sequence(v, "operations of '" + name + "' must be a list").getValue()) {
                    ops.add(ctx.scalar(op));
                }
            }
            families.put(name, ops);
        }
        return families;
    }

    private static void loadFile(Path file, Map<String, List<String>> families, List<Entry> entries,
                                 List<RecognizeBlock> blocks) throws IOException {
        Ctx ctx = new Ctx(file.getFileName().toString());
        MappingNode root = ctx.mapping(compose(file), "a spec file is a mapping with defaults, entries, recognize");
        Map<String, Node> top = ctx.keys(root, FILE_KEYS);
        Map<String, Node> defaults = top.containsKey("defaults")
            ? ctx.keys(ctx.mapping(top.get("defaults"), "defaults must be a mapping"), ENTRY_KEYS) : Map.of();
        if (top.containsKey("entries")) {
            for (Node n : ctx.sequence(top.get("entries"), "entries must be a list").getValue()) {
                Map<String, Node> keys = new LinkedHashMap<>(defaults);
                keys.putAll(ctx.keys(ctx.mapping(n, "an entry must be a mapping"), ENTRY_KEYS));
                readEntry(ctx, n, keys, families, entries);
            }
        }
        if (top.containsKey("recognize")) {
            for (Node n : ctx.sequence(top.get("recognize"), "recognize must be a list").getValue()) {
                blocks.add(readBlock(ctx, n));
            }
        }
    }

    private static void readEntry(Ctx ctx, Node at, Map<String, Node> k, Map<String, List<String>> families,
                                  List<Entry> out) {
        String mnem = ctx.required(k, "mnem", at);
        String encText = ctx.required(k, "enc", at);
        int line = ctx.line(at);
        Encoding enc = Encoding.parse(encText, ctx.file, line);
        List<Operand> ops = new ArrayList<>();
        if (k.containsKey("ops")) {
            for (Node o : ctx.sequence(k.get("ops"), "ops must be a list").getValue()) {
                String tok = ctx.scalar(o);
                Operand operand = Operand.parse(tok);
                if (operand == null) {
                    throw ctx.error(o, "unknown operand form '" + tok + "'");
                }
                ops.add(operand);
            }
        }
        boolean needsModrm = ops.stream().anyMatch(o -> o.method().usesModrm());
        if (needsModrm && !enc.hasModrm()) {
            throw ctx.error(at, "operands " + ops.stream().map(Operand::token).toList() + " need a ModRM byte but enc '"
                + encText + "' has none (add /r or /digit)");
        }
        boolean hasZ = ops.stream().anyMatch(o -> o.method() == Operand.Method.Z);
        if (hasZ != (enc.opcodeCount() == 8)) {
            throw ctx.error(at, "a Z operand and a +r opcode go together (enc '" + encText + "')");
        }
        String family = ctx.optional(k, "family");
        String op = ctx.optional(k, "op");
        if (family != null) {
            List<String> famOps = families.get(family);
            if (famOps == null) {
                throw ctx.error(k.get("family"), "unknown family '" + family + "' (families.yaml lists "
                    + String.join(", ", families.keySet()) + ")");
            }
            if (famOps.isEmpty() && op != null) {
                throw ctx.error(k.get("op"), "family '" + family + "' has no operations, but op '" + op + "' is given");
            }
            if (!famOps.isEmpty()) {
                if (op == null) {
                    throw ctx.error(at, "missing required key 'op' (family '" + family + "' has operations "
                        + String.join(", ", famOps) + ")");
                }
                if (!famOps.contains(op)) {
                    throw ctx.error(k.get("op"), "unknown operation '" + op + "' of family '" + family + "'");
                }
            }
        } else if (op != null) {
            throw ctx.error(k.get("op"), "'op' without a family");
        }
        Entry.Modes modes = Entry.Modes.ALL;
        String modesText = ctx.optional(k, "modes");
        if (modesText != null) {
            switch (modesText) {
                case "all": break;
                case "not64": modes = Entry.Modes.NOT64; break;
                case "only64": modes = Entry.Modes.ONLY64; break;
                default: throw ctx.error(k.get("modes"), "unknown modes '" + modesText + "' (all, not64, only64)");
            }
        }
        Entry.Osz osz = Entry.Osz.NORMAL;
        String oszText = ctx.optional(k, "osz");
        if (oszText != null) {
            switch (oszText) {
                case "d64": osz = Entry.Osz.D64; break;
                case "f64": osz = Entry.Osz.F64; break;
                default: throw ctx.error(k.get("osz"), "unknown osz '" + oszText + "' (d64, f64)");
            }
        }
        boolean lock = ctx.bool(k, "lock");
        boolean rep = false;
        boolean repe = false;
        if (k.containsKey("rep")) {
            for (Node r : ctx.sequence(k.get("rep"), "rep must be a list: [rep] or [repe, repne]").getValue()) {
                String v = ctx.scalar(r);
                switch (v) {
                    case "rep": rep = true; break;
                    case "repe": case "repne": repe = true; break;
                    default: throw ctx.error(r, "unknown rep '" + v + "' (rep, repe, repne)");
                }
            }
        }
        int align = 0;
        String alignText = ctx.optional(k, "align");
        if (alignText != null) {
            try {
                align = Integer.parseInt(alignText);
            } catch (NumberFormatException e) {
                align = -1;
            }
            if (align <= 0 || Integer.bitCount(align) != 1) {
                throw ctx.error(k.get("align"), "align must be a power of two, was '" + alignText + "'");
            }
        }
        int w = enc.w();
        String wText = ctx.optional(k, "w");
        if (wText != null) {
            if (!wText.equals("0") && !wText.equals("1")) {
                throw ctx.error(k.get("w"), "w must be 0 or 1");
            }
            w = Integer.parseInt(wText);
        }
        if (w != enc.w()) {
            enc = new Encoding(enc.map(), enc.prefix(), enc.opcode(), enc.opcodeCount(), enc.modrm(), enc.mod(),
                enc.fixedModrm(), enc.vexL(), w);
        }
        int[] flags = new int[5];
        if (k.containsKey("flags")) {
            Map<String, Node> f = ctx.keys(ctx.mapping(k.get("flags"), "flags must be a mapping"), FLAG_KEYS);
            String[] names = {"read", "write", "set", "clear", "undef"};
            for (int i = 0; i < names.length; i++) {
                if (f.containsKey(names[i])) {
                    String letters = ctx.scalar(f.get(names[i]));
                    flags[i] = Flags.parse(letters);
                    if (flags[i] < 0) {
                        throw ctx.error(f.get(names[i]), "unknown flag letter in '" + letters + "' (OSZAPCDITK)");
                    }
                }
            }
        }
        String formName = ctx.optional(k, "form");
        String cpuid = ctx.optional(k, "cpuid");
        String group = ctx.optional(k, "group");
        if (enc.opcodeCount() == 16) {
            if (!mnem.endsWith("cc")) {
                throw ctx.error(at, "a +cc encoding needs a mnemonic ending in 'cc', was '" + mnem + "'");
            }
            if (formName != null) {
                throw ctx.error(k.get("form"), "a +cc entry cannot name its form: there are sixteen");
            }
            for (int cc = 0; cc < 16; cc++) {
                String m = mnem.substring(0, mnem.length() - 2) + CONDITIONS[cc];
                Encoding e = new Encoding(enc.map(), enc.prefix(), enc.opcode() + cc, 1, enc.modrm(), enc.mod(),
                    enc.fixedModrm(), enc.vexL(), enc.w());
                out.add(new Entry(ctx.file, line, m, defaultForm(m, ops), e, List.copyOf(ops), family, op, modes, osz,
                    lock, rep, repe, align, cpuid, flags[0], flags[1], flags[2], flags[3], flags[4], cc, group));
            }
        } else {
            String form = formName != null ? formName : defaultForm(mnem, ops);
            out.add(new Entry(ctx.file, line, mnem, form, enc, List.copyOf(ops), family, op, modes, osz, lock, rep,
                repe, align, cpuid, flags[0], flags[1], flags[2], flags[3], flags[4], -1, group));
        }
    }

    static String defaultForm(String mnem, List<Operand> ops) {
        StringBuilder sb = new StringBuilder(mnem);
        for (Operand o : ops) {
            sb.append('_').append(o.token());
        }
        return sb.toString();
    }

    private static RecognizeBlock readBlock(Ctx ctx, Node n) {
        Map<String, Node> k = ctx.keys(ctx.mapping(n, "a recognize block must be a mapping"), BLOCK_KEYS);
        String mapText = ctx.required(k, "map", n);
        OpMap map = OpMap.byLabel(mapText);
        if (map == null) {
            throw ctx.error(k.get("map"), "unknown map '" + mapText + "'");
        }
        BitSet opcodes = parseOpcodes(ctx, k.get("opcodes"), ctx.required(k, "opcodes", n));
        boolean modrm = !k.containsKey("modrm") || ctx.bool(k, "modrm");
        BitSet imm8 = new BitSet(256);
        String immText = ctx.optional(k, "imm8");
        if (immText == null || immText.equals("none")) {
            // none
        } else if (immText.equals("all")) {
            imm8.or(opcodes);
        } else {
            imm8 = parseOpcodes(ctx, k.get("imm8"), immText);
            BitSet extra = (BitSet) imm8.clone();
            extra.andNot(opcodes);
            if (!extra.isEmpty()) {
                throw ctx.error(k.get("imm8"), String.format("imm8 opcode %02X is not in the block's opcodes", extra.nextSetBit(0)));
            }
        }
        String group = ctx.required(k, "group", n);
        int prefix = Encoding.ANY;
        String prefixText = ctx.optional(k, "prefix");
        if (prefixText != null) {
            switch (prefixText) {
                case "any": break;
                case "NP": prefix = Encoding.NP; break;
                case "66": prefix = 0x66; break;
                case "F3": prefix = 0xF3; break;
                case "F2": prefix = 0xF2; break;
                default: throw ctx.error(k.get("prefix"), "unknown prefix '" + prefixText + "' (any, NP, 66, F3, F2)");
            }
        }
        int vexL = -1;
        String lText = ctx.optional(k, "l");
        if (lText != null) {
            switch (lText) {
                case "128": vexL = 0; break;
                case "256": vexL = 1; break;
                case "512": vexL = 2; break;
                case "any": break;
                default: throw ctx.error(k.get("l"), "unknown l '" + lText + "' (128, 256, 512, any)");
            }
        }
        int w = -1;
        String wText = ctx.optional(k, "w");
        if (wText != null) {
            switch (wText) {
                case "0": w = 0; break;
                case "1": w = 1; break;
                case "any": break;
                default: throw ctx.error(k.get("w"), "w must be 0, 1 or any");
            }
        }
        return new RecognizeBlock(ctx.file, ctx.line(n), map, opcodes, modrm, imm8, group, prefix, vexL, w);
    }

    private static BitSet parseOpcodes(Ctx ctx, Node at, String text) {
        BitSet set = new BitSet(256);
        for (String part : text.trim().split("\\s+")) {
            String[] range = part.split("-");
            if (range.length > 2 || !Encoding.isHex(range[0]) || (range.length == 2 && !Encoding.isHex(range[1]))) {
                throw ctx.error(at, "bad opcode or range '" + part + "' (two upper-case hex digits, or HH-HH)");
            }
            int lo = Integer.parseInt(range[0], 16);
            int hi = range.length == 2 ? Integer.parseInt(range[1], 16) : lo;
            if (hi < lo) {
                throw ctx.error(at, "empty range '" + part + "'");
            }
            set.set(lo, hi + 1);
        }
        return set;
    }

    /** Node helpers that know the file they read, for file:line messages. */
    private static final class Ctx {
        final String file;

        Ctx(String file) {
            this.file = file;
        }

        int line(Node n) {
            return n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        }

        SpecException error(Node n, String reason) {
            return new SpecException(file, line(n), reason);
        }

        MappingNode mapping(Node n, String what) {
            if (n instanceof MappingNode m) {
                return m;
            }
            throw error(n, what);
        }

        SequenceNode sequence(Node n, String what) {
            if (n instanceof SequenceNode s) {
                return s;
            }
            throw error(n, what);
        }

        String scalar(Node n) {
            if (n instanceof ScalarNode s) {
                return s.getValue();
            }
            throw error(n, "expected a single value here");
        }

        Map<String, Node> keys(MappingNode m, Set<String> allowed) {
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode());
                if (!allowed.contains(key)) {
                    throw error(t.getKeyNode(), "unknown key '" + key + "' (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
                if (out.containsKey(key)) {
                    throw error(t.getKeyNode(), "key '" + key + "' given twice");
                }
                out.put(key, t.getValueNode());
            }
            return out;
        }

        String required(Map<String, Node> k, String key, Node at) {
            if (!k.containsKey(key)) {
                throw error(at, "missing required key '" + key + "'");
            }
            return scalar(k.get(key));
        }

        String optional(Map<String, Node> k, String key) {
            return k.containsKey(key) ? scalar(k.get(key)) : null;
        }

        boolean bool(Map<String, Node> k, String key) {
            if (!k.containsKey(key)) {
                return false;
            }
            String v = scalar(k.get(key));
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw error(k.get(key), key + " must be true or false, was '" + v + "'");
        }
    }
}
