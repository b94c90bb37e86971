package dev.hvex.generator;

import dev.hvex.spec.Encoding;
import dev.hvex.spec.Entry;
import dev.hvex.spec.OpMap;
import dev.hvex.spec.Operand;
import dev.hvex.spec.RecognizeBlock;
import dev.hvex.spec.Spec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers the spec to the decoder's tables: one row per (map, opcode), a list of match candidates per
 * row, and one descriptor per form. Everything is a primitive int so the decode path touches no objects.
 *
 * <p>The decoder computes a match key for the instruction at hand (layout in {@link Key}) and takes the
 * first candidate of its row with {@code (key & mask) == value}. Candidates with a mandatory prefix come
 * before those without, and recognition-block forms come last, so specific encodings win.
 */
final class Lowering {
    /** Bit layout of the decoder's match key. Mirrored by {@code dev.hvex.decode.Decoder}. */
    static final class Key {
        static final int PREFIX_SHIFT = 0;   // 2 bits: 0 none, 1 = 66, 2 = F3, 3 = F2
        static final int REG_SHIFT = 2;      // 3 bits: ModRM.reg
        static final int MODREG_SHIFT = 5;   // 1 bit: ModRM.mod == 11
        static final int RM_SHIFT = 6;       // 3 bits: ModRM.rm
        static final int W_SHIFT = 9;        // 1 bit: REX.W / VEX.W / EVEX.W
        static final int L_SHIFT = 10;       // 2 bits: VEX.L / EVEX.L'L
        static final int MODE64_SHIFT = 12;  // 1 bit: 64-bit mode
    }

    /** Immediate kinds; mirrored as constants in the generated Forms class. */
    static final int IMM_NONE = 0;
    static final int IMM_B = 1;
    static final int IMM_W = 2;
    static final int IMM_Z = 3;
    static final int IMM_V = 4;
    static final int IMM_MOFFS = 5;
    static final int IMM_WB = 6;
    static final int IMM_FAR = 7;
    static final int IMM_BB = 8;

    /** Per-form attribute word layout. */
    static final int ATTR_IMM_MASK = 0xF;
    static final int ATTR_OSZ_SHIFT = 4;       // 2 bits: 0 normal, 1 d64, 2 f64
    static final int ATTR_LOCK = 1 << 6;
    static final int ATTR_REP = 1 << 7;
    static final int ATTR_REPE = 1 << 8;
    static final int ATTR_MODES_SHIFT = 9;     // 2 bits: 0 all, 1 not64, 2 only64
    static final int ATTR_MODRM = 1 << 11;
    static final int ATTR_RECOGNIZED_ONLY = 1 << 12;

    final List<String> formNames = new ArrayList<>();
    final List<String> mnemonics = new ArrayList<>();
    final List<Integer> family = new ArrayList<>();
    final List<Integer> op = new ArrayList<>();
    final List<Integer> attrs = new ArrayList<>();
    final List<int[]> operands = new ArrayList<>();
    final List<int[]> flags = new ArrayList<>(); // read, written, set, cleared, undefined
    final List<Integer> cond = new ArrayList<>();
    final List<Integer> align = new ArrayList<>();
    final List<String> cpuid = new ArrayList<>();
    final List<String> maps = new ArrayList<>();
    final List<Integer> opcodes = new ArrayList<>();

    final int[] rows = new int[OpMap.values().length * 256];
    final List<Integer> candMask = new ArrayList<>();
    final List<Integer> candValue = new ArrayList<>();
    final List<Integer> candForm = new ArrayList<>();

    final List<String> familyNames;
    final Map<String, List<String>> familyOps;

    static final int MAX_OPERANDS = 4;

    Lowering(Spec spec) {
        this.familyOps = spec.families();
        this.familyNames = new ArrayList<>(spec.families().keySet());
        @SuppressWarnings("unchecked")
        List<int[]>[] perRow = new List[rows.length];
        boolean[] modrm = new boolean[rows.length];
        // MOV to/from CR and DR ignore ModRM.mod: the operand is always a register (SDM Vol. 2 MOV-Move
        // to/from Control Registers), so no SIB or displacement follows whatever mod says.
        boolean[] registerOnly = new boolean[rows.length];
        for (Entry e : spec.entries()) {
            int form = addForm(e);
            int[] mv = matchOf(e);
            for (int i = 0; i < e.enc().opcodeCount(); i++) {
                int row = e.enc().map().ordinal() * 256 + e.opcode() + i;
                add(perRow, row, mv[0], mv[1], form, e.enc().prefix() == Encoding.ANY ? 1 : 0);
                modrm[row] = e.enc().hasModrm();
                registerOnly[row] |= e.ops().stream().anyMatch(o -> o.method() == dev.hvex.spec.Operand.Method.C
                    || o.method() == dev.hvex.spec.Operand.Method.D);
            }
        }
        for (RecognizeBlock b : spec.blocks()) {
            int plain = -1;
            int withImm = -1;
            for (int opc = b.opcodes().nextSetBit(0); opc >= 0; opc = b.opcodes().nextSetBit(opc + 1)) {
                boolean imm = b.imm8().get(opc);
                int form;
                if (imm) {
                    if (withImm < 0) {
                        withImm = addBlockForm(b, true);
                    }
                    form = withImm;
                } else {
                    if (plain < 0) {
                        plain = addBlockForm(b, false);
                    }
                    form = plain;
                }
                int row = b.map().ordinal() * 256 + opc;
                int mask = 0;
                int value = 0;
                if (b.prefix() != Encoding.ANY) {
                    mask |= 3 << Key.PREFIX_SHIFT;
                    value |= Encoding.prefixCode(b.prefix()) << Key.PREFIX_SHIFT;
                }
                if (b.vexL() >= 0) {
                    mask |= 3 << Key.L_SHIFT;
                    value |= b.vexL() << Key.L_SHIFT;
                }
                if (b.w() >= 0) {
                    mask |= 1 << Key.W_SHIFT;
                    value |= b.w() << Key.W_SHIFT;
                }
                add(perRow, row, mask, value, form, 2);
                modrm[row] = b.modrm();
            }
        }
        for (int row = 0; row < rows.length; row++) {
            List<int[]> list = perRow[row];
            if (list == null) {
                continue;
            }
            list.sort((a, b) -> Integer.compare(a[3], b[3])); // stable: specific prefix, any, blocks
            int first = candMask.size();
            for (int[] c : list) {
                candMask.add(c[0]);
                candValue.add(c[1]);
                candForm.add(c[2]);
            }
            if (list.size() > 255) {
                throw new IllegalStateException("more than 255 candidates for row " + row);
            }
            rows[row] = 1 | (modrm[row] ? 2 : 0) | (registerOnly[row] ? 4 : 0) | (list.size() << 3) | (first << 11);
        }
    }

    private static void add(List<int[]>[] perRow, int row, int mask, int value, int form, int rank) {
        if (perRow[row] == null) {
            perRow[row] = new ArrayList<>();
        }
        perRow[row].add(new int[] {mask, value, form, rank});
    }

    private int addForm(Entry e) {
        int id = formNames.size();
        formNames.add(e.form());
        mnemonics.add(e.mnem());
        family.add(e.family() == null ? -1 : familyNames.indexOf(e.family()));
        op.add(e.op() == null ? 0 : familyOps.get(e.family()).indexOf(e.op()));
        int a = immKind(e) | e.osz().ordinal() << ATTR_OSZ_SHIFT | e.modes().ordinal() << ATTR_MODES_SHIFT;
        if (e.lock()) {
            a |= ATTR_LOCK;
        }
        if (e.rep()) {
            a |= ATTR_REP;
        }
        if (e.repeRepne()) {
            a |= ATTR_REPE;
        }
        if (e.enc().hasModrm()) {
            a |= ATTR_MODRM;
        }
        if (e.family() == null) {
            a |= ATTR_RECOGNIZED_ONLY;
        }
        attrs.add(a);
        int[] ops = new int[MAX_OPERANDS];
        if (e.ops().size() > MAX_OPERANDS) {
            throw new IllegalStateException(e.where() + ": more than " + MAX_OPERANDS + " operands");
        }
        for (int i = 0; i < e.ops().size(); i++) {
            ops[i] = operandCode(e.ops().get(i));
        }
        operands.add(ops);
        flags.add(new int[] {e.flagsRead(), e.flagsWritten(), e.flagsSet(), e.flagsCleared(), e.flagsUndefined()});
        cond.add(e.cond());
        align.add(e.align());
        cpuid.add(e.cpuid() == null ? "" : e.cpuid());
        maps.add(e.enc().map().label());
        opcodes.add(e.opcode());
        return id;
    }

    private int addBlockForm(RecognizeBlock b, boolean imm) {
        int id = formNames.size();
        String base = b.group().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_"
            + b.map().name() + (imm ? "_IB" : "");
        String name = base;
        for (int n = 2; formNames.contains(name); n++) {
            name = base + "_" + n;
        }
        formNames.add(name);
        mnemonics.add("(" + b.group() + ")");
        family.add(-1);
        op.add(0);
        attrs.add((imm ? IMM_B : IMM_NONE) | (b.modrm() ? ATTR_MODRM : 0) | ATTR_RECOGNIZED_ONLY);
        operands.add(new int[MAX_OPERANDS]);
        flags.add(new int[5]);
        cond.add(-1);
        align.add(0);
        cpuid.add("");
        maps.add(b.map().label());
        opcodes.add(-1);
        return id;
    }

    /** The operand code: method ordinal + 1 in bits 0-5, size ordinal in bits 6-10; 0 = no operand. */
    static int operandCode(Operand o) {
        return (o.method().ordinal() + 1) | (o.size().ordinal() << 6);
    }

    static int immKind(Entry e) {
        List<Integer> kinds = new ArrayList<>();
        for (Operand o : e.ops()) {
            switch (o.method()) {
                case I:
                case J:
                    switch (o.size()) {
                        case B: case BS: kinds.add(IMM_B); break;
                        case W: kinds.add(IMM_W); break;
                        case Z: kinds.add(IMM_Z); break;
                        case V: kinds.add(IMM_V); break;
                        default: throw new IllegalStateException(e.where() + ": immediate size " + o.token());
                    }
                    break;
                case O: kinds.add(IMM_MOFFS); break;
                case A: kinds.add(IMM_FAR); break;
                default: break;
            }
        }
        if (kinds.isEmpty()) {
            return IMM_NONE;
        }
        if (kinds.size() == 1) {
            return kinds.get(0);
        }
        if (kinds.equals(List.of(IMM_W, IMM_B))) {
            return IMM_WB;
        }
        if (kinds.equals(List.of(IMM_B, IMM_B))) {
            return IMM_BB;
        }
        throw new dev.hvex.spec.SpecException(e.file(), e.line(), "unsupported combination of immediates " + e.ops());
    }

    /** Mask and value of an entry's match condition over the decoder's key. */
    static int[] matchOf(Entry e) {
        Encoding enc = e.enc();
        int mask = 0;
        int value = 0;
        if (enc.prefix() != Encoding.ANY) {
            mask |= 3 << Key.PREFIX_SHIFT;
            value |= Encoding.prefixCode(enc.prefix()) << Key.PREFIX_SHIFT;
        }
        if (enc.modrm() >= 0) {
            mask |= 7 << Key.REG_SHIFT;
            value |= enc.modrm() << Key.REG_SHIFT;
        } else if (enc.modrm() == Encoding.MODRM_FIXED) {
            int m = enc.fixedModrm();
            mask |= 7 << Key.REG_SHIFT | 7 << Key.RM_SHIFT;
            value |= ((m >> 3) & 7) << Key.REG_SHIFT | (m & 7) << Key.RM_SHIFT;
        }
        if (enc.mod() != Encoding.MOD_ANY) {
            mask |= 1 << Key.MODREG_SHIFT;
            value |= (enc.mod() == Encoding.MOD_REG ? 1 : 0) << Key.MODREG_SHIFT;
        }
        if (enc.w() >= 0) {
            mask |= 1 << Key.W_SHIFT;
            value |= enc.w() << Key.W_SHIFT;
        }
        if (enc.vexL() >= 0) {
            mask |= 3 << Key.L_SHIFT;
            value |= enc.vexL() << Key.L_SHIFT;
        }
        if (e.modes() != Entry.Modes.ALL) {
            mask |= 1 << Key.MODE64_SHIFT;
            value |= (e.modes() == Entry.Modes.ONLY64 ? 1 : 0) << Key.MODE64_SHIFT;
        }
        return new int[] {mask, value};
    }

    static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    Map<String, Integer> familyIndex() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < familyNames.size(); i++) {
            m.put(familyNames.get(i), i);
        }
        return m;
    }
}
