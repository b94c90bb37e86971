package dev.hvex.spec;

import java.util.List;

/**
 * One instruction form of the spec, after {@code +cc} expansion. {@code family} is null for a
 * recognised-only form.
 */
public record Entry(
    String file,
    int line,
    String mnem,
    String form,
    Encoding enc,
    List<Operand> ops,
    String family,
    String op,
    Modes modes,
    Osz osz,
    boolean lock,
    boolean rep,
    boolean repeRepne,
    int align,
    String cpuid,
    int flagsRead,
    int flagsWritten,
    int flagsSet,
    int flagsCleared,
    int flagsUndefined,
    int cond,
    String group) {

    /** Where an entry is valid. */
    public enum Modes { ALL, NOT64, ONLY64 }

    /** Operand-size rules beyond the operand letters. */
    public enum Osz { NORMAL, D64, F64 }

    /** The opcode byte this form answers to (the first of 8 or 16 for +r / +cc forms). */
    public int opcode() {
        return enc.opcode();
    }

    public String where() {
        return file + ":" + line;
    }
}
