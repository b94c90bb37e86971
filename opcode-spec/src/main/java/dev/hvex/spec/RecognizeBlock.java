package dev.hvex.spec;

import java.util.BitSet;

/**
 * A set of opcodes of one map recognised for their length only (see README.md, "Recognition blocks").
 *
 * @param prefix the mandatory prefix the block is limited to ({@link Encoding#ANY}, {@link Encoding#NP},
 *               0x66, 0xF3, 0xF2)
 * @param vexL   required VEX/EVEX L (0, 1, 2) or -1 for any
 * @param w      required W (0, 1) or -1 for any
 */
public record RecognizeBlock(String file, int line, OpMap map, BitSet opcodes, boolean modrm, BitSet imm8,
                             String group, int prefix, int vexL, int w) {
}
