package dev.hvex.bench;

import dev.hvex.MmioAccessContext;
import dev.hvex.Register;

/**
 * A stream of distinct MMIO exits for the cold-path benchmarks: instruction templates with a disp32
 * off RDI that changes on every exit, so no two exits of a run have the same bytes. RDI points at
 * unassigned guest-physical space (identity-mapped), where writes are dropped and reads return ones.
 * The contexts are built once; each {@link #next} patches the displacement in place (no allocation).
 */
final class InstructionStream {
    static final long RDI = 0x1_0000_0000L;

    /** Template bytes with 00000000 where the disp32 goes, that offset, and the exit's access type. */
    private static final String[][] MIXED = {
        {"89 87 00000000", "2", "W"},            // mov [rdi+d32], eax
        {"8b 87 00000000", "2", "R"},            // mov eax, [rdi+d32]
        {"48 89 87 00000000", "3", "W"},         // mov [rdi+d32], rax
        {"01 8f 00000000", "2", "R"},            // add [rdi+d32], ecx (the read exits first)
        {"0f b6 87 00000000", "3", "R"},         // movzx eax, byte [rdi+d32]
        {"81 bf 00000000 78563412", "2", "R"},   // cmp dword [rdi+d32], 0x12345678
        {"85 87 00000000", "2", "R"},            // test [rdi+d32], eax
        {"c7 87 00000000 01000000", "2", "W"},   // mov dword [rdi+d32], 1
    };

    private final MmioAccessContext[] contexts;
    private final int[] dispOffset;
    private final int mask;
    private int seq;

    private InstructionStream(int templates) {
        contexts = new MmioAccessContext[templates];
        dispOffset = new int[templates];
        mask = templates - 1;
        for (int i = 0; i < templates; i++) {
            int type = MIXED[i][2].equals("W") ? MmioAccessContext.WRITE : MmioAccessContext.READ;
            contexts[i] = Exits.mmio(MIXED[i][0], type, RDI, RDI);
            dispOffset[i] = Integer.parseInt(MIXED[i][1]);
        }
    }

    /** Only {@code mov [rdi+disp32], eax}. */
    static InstructionStream stores() {
        return new InstructionStream(1);
    }

    /** Eight templates in turn: MOV store/load/64-bit store, ADD, MOVZX, CMP imm32, TEST, MOV imm32. */
    static InstructionStream mixed() {
        return new InstructionStream(8);
    }

    static void prepare(BenchVmm vmm) {
        vmm.set(Register.RDI, RDI).set(Register.RAX, 0x55).set(Register.RCX, 1);
    }

    /** The next exit: the next template, with a displacement no earlier exit of this run had. */
    MmioAccessContext next() {
        int s = seq++;
        MmioAccessContext c = contexts[s & mask];
        byte[] b = c.instructionBytes();
        int disp = (s * 8) & 0x7fff_fff8;
        int at = dispOffset[s & mask];
        b[at] = (byte) disp;
        b[at + 1] = (byte) (disp >>> 8);
        b[at + 2] = (byte) (disp >>> 16);
        b[at + 3] = (byte) (disp >>> 24);
        // The exit reports the accessed address (identity-mapped): hvex checks that the instruction covers it.
        c.setGpa(RDI + disp).setGva(RDI + disp);
        return c;
    }
}
