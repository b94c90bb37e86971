package dev.hvex.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec-wide checks that no single entry can make: unique form names, no two entries matching the
 * same bytes in the same mode, and one answer per opcode to "does a ModRM byte follow?".
 */
final class Validator {
    private Validator() {
    }

    static void check(List<Entry> entries, List<RecognizeBlock> blocks) {
        Map<String, Entry> forms = new HashMap<>();
        Map<Integer, List<Entry>> byOpcode = new HashMap<>();
        for (Entry e : entries) {
            Entry prev = forms.putIfAbsent(e.form(), e);
            if (prev != null) {
                throw new SpecException(e.file(), e.line(), "duplicate form name '" + e.form() + "' (first at "
                    + prev.where() + "); give one of them a 'form:'");
            }
            for (int i = 0; i < e.enc().opcodeCount(); i++) {
                int key = e.enc().map().ordinal() * 256 + e.opcode() + i;
                List<Entry> list = byOpcode.computeIfAbsent(key, x -> new ArrayList<>());
                for (Entry other : list) {
                    if (other.enc().hasModrm() != e.enc().hasModrm()) {
                        throw new SpecException(e.file(), e.line(), String.format(
                            "%s %02X: this entry %s a ModRM byte but %s (%s) %s", e.enc().map().label(),
                            e.opcode() + i, e.enc().hasModrm() ? "takes" : "has no", other.form(), other.where(),
                            other.enc().hasModrm() ? "takes one" : "has none"));
                    }
                    if (overlap(e, other)) {
                        throw new SpecException(e.file(), e.line(), String.format(
                            "%s overlaps %s (%s): both match %s %02X in the same mode", e.form(), other.form(),
                            other.where(), e.enc().map().label(), e.opcode() + i));
                    }
                }
                list.add(e);
            }
        }
        Map<Integer, List<RecognizeBlock>> blockAt = new HashMap<>();
        for (RecognizeBlock b : blocks) {
            for (int op = b.opcodes().nextSetBit(0); op >= 0; op = b.opcodes().nextSetBit(op + 1)) {
                int key = b.map().ordinal() * 256 + op;
                List<RecognizeBlock> same = blockAt.computeIfAbsent(key, x -> new ArrayList<>());
                for (RecognizeBlock prev : same) {
                    if (blocksOverlap(prev, b)) {
                        throw new SpecException(b.file(), b.line(), String.format(
                            "%s %02X is already in the recognize block at %s:%d", b.map().label(), op, prev.file(),
                            prev.line()));
                    }
                    if (prev.modrm() != b.modrm()) {
                        throw new SpecException(b.file(), b.line(), String.format(
                            "%s %02X: the block says modrm %s but the block at %s:%d disagrees", b.map().label(), op,
                            b.modrm(), prev.file(), prev.line()));
                    }
                }
                same.add(b);
                List<Entry> list = byOpcode.get(key);
                if (list != null && list.get(0).enc().hasModrm() != b.modrm()) {
                    Entry e = list.get(0);
                    throw new SpecException(b.file(), b.line(), String.format(
                        "%s %02X: the block says modrm %s but %s (%s) disagrees", b.map().label(), op, b.modrm(),
                        e.form(), e.where()));
                }
            }
        }
    }

    /** Blocks of one opcode overlap unless they name different prefixes, vector lengths or W. */
    static boolean blocksOverlap(RecognizeBlock a, RecognizeBlock b) {
        boolean prefixApart = a.prefix() != Encoding.ANY && b.prefix() != Encoding.ANY && a.prefix() != b.prefix();
        boolean lApart = a.vexL() >= 0 && b.vexL() >= 0 && a.vexL() != b.vexL();
        boolean wApart = a.w() >= 0 && b.w() >= 0 && a.w() != b.w();
        return !(prefixApart || lApart || wApart);
    }

    /** Whether two entries of the same opcode can both match one instruction in one mode. */
    static boolean overlap(Entry a, Entry b) {
        Encoding x = a.enc();
        Encoding y = b.enc();
        if (x.prefix() != y.prefix()) {
            return false; // a specific mandatory prefix wins over "any"; distinct ones never meet
        }
        if (x.modrm() >= 0 && y.modrm() >= 0 && x.modrm() != y.modrm()) {
            return false;
        }
        if (x.modrm() == Encoding.MODRM_FIXED || y.modrm() == Encoding.MODRM_FIXED) {
            if (x.modrm() == Encoding.MODRM_FIXED && y.modrm() == Encoding.MODRM_FIXED) {
                if (x.fixedModrm() != y.fixedModrm()) {
                    return false;
                }
            } else {
                Encoding fixed = x.modrm() == Encoding.MODRM_FIXED ? x : y;
                Encoding other = fixed == x ? y : x;
                int reg = (fixed.fixedModrm() >> 3) & 7;
                if (other.modrm() >= 0 && other.modrm() != reg) {
                    return false;
                }
                if (other.mod() != Encoding.MOD_ANY && other.mod() != fixed.mod()) {
                    return false;
                }
            }
        }
        if (x.mod() != Encoding.MOD_ANY && y.mod() != Encoding.MOD_ANY && x.mod() != y.mod()) {
            return false;
        }
        if (x.vexL() >= 0 && y.vexL() >= 0 && x.vexL() != y.vexL()) {
            return false;
        }
        if (x.w() >= 0 && y.w() >= 0 && x.w() != y.w()) {
            return false;
        }
        Entry.Modes m = a.modes();
        Entry.Modes n = b.modes();
        return !((m == Entry.Modes.NOT64 && n == Entry.Modes.ONLY64) || (m == Entry.Modes.ONLY64 && n == Entry.Modes.NOT64));
    }
}
