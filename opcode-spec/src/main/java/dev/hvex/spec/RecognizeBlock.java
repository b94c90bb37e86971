package dev.hvex.spec;

import java.util.BitSet;

/** A set of opcodes of one map recognised for their length only (see README.md, "Recognition blocks"). */
public record RecognizeBlock(String file, int line, OpMap map, BitSet opcodes, boolean modrm, BitSet imm8,
                             String group) {
}
