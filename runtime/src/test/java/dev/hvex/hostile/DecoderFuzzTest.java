package dev.hvex.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hvex.CpuMode;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import dev.hvex.gen.Forms;
import java.util.Arrays;

/**
 * The decoder on guest-chosen bytes. Input: byte 0 selects the mode (bits 0-2) and how many bytes are
 * valid (bits 3-7, 0-31); the rest are the bytes. Invariants: no exception; a defined status; on OK a
 * length of 1-15 within the valid bytes; nothing read past the valid bytes nor past 15 (the same result
 * with other bytes there); every output field written (the same result into a dirty instance); the
 * same bytes decode the same twice; OK is stable when more bytes become valid; the formatter accepts
 * every OK result.
 *
 * <p>{@code mvn test} replays the committed inputs in DecoderFuzzTestInputs/decode; fuzzing: SECURITY.md.
 */
class DecoderFuzzTest {
    private static final CpuMode[] MODES = CpuMode.values();
    private static final int WINDOW_OFFSET = 7;

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] data) {
        if (data.length == 0) {
            return;
        }
        CpuMode mode = MODES[(data[0] & 7) % 7];
        int available = (data[0] & 0xff) >> 3;
        byte[] insn = Arrays.copyOfRange(data, 1, Math.min(data.length, 1 + 32));
        check(mode, insn, available);
    }

    static void check(CpuMode mode, byte[] insn, int available) {
        int valid = Math.min(available, insn.length);
        // The valid bytes at an offset inside larger arrays whose other bytes differ (two sentinels).
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        Arrays.fill(a, (byte) 0xcc);
        Arrays.fill(b, (byte) 0x0f);
        for (int i = 0; i < 64; i++) {
            b[i] = (byte) (0x66 + i); // prefixes, opcodes: anything a reader past the end would trip on
        }
        System.arraycopy(insn, 0, a, WINDOW_OFFSET, valid);
        System.arraycopy(insn, 0, b, WINDOW_OFFSET, valid);

        DecodedInstruction da = new DecodedInstruction();
        DecodedInstruction db = dirty();
        int sa = Decoder.decode(a, WINDOW_OFFSET, valid, mode, da);
        int sb = Decoder.decode(b, WINDOW_OFFSET, valid, mode, db);
        assertThat(sa).as("status").isBetween(DecodeStatus.OK, DecodeStatus.LOCK_NOT_ALLOWED);
        assertThat(sb).as("status with other bytes after the valid ones").isEqualTo(sa);
        if (sa == DecodeStatus.NEED_MORE_BYTES) {
            assertThat(valid).as("need more bytes with 15 valid").isLessThan(15);
        }
        if (sa != DecodeStatus.OK) {
            return;
        }
        assertThat(da.length).as("length").isBetween(1, Math.min(15, valid));
        assertThat(fields(db)).as("fields with other trailing bytes, decoded into a dirty instance")
            .isEqualTo(fields(da));
        assertThat(da.form).isBetween(0, Forms.COUNT - 1);
        assertThat(da.reg).isBetween(0, 15);
        assertThat(da.rm).isBetween(0, 15);
        assertThat(da.vexV).isBetween(0, 15);
        assertThat(da.operandSize).isIn(2, 4, 8);
        assertThat(da.addressSize).isIn(2, 4, 8);
        assertThat(da.mode).isEqualTo(mode);

        // Twice: the same.
        DecodedInstruction again = new DecodedInstruction();
        assertThat(Decoder.decode(a, WINDOW_OFFSET, valid, mode, again)).isEqualTo(DecodeStatus.OK);
        assertThat(fields(again)).isEqualTo(fields(da));

        // Exactly the instruction's bytes valid, or the full 15: the same instruction.
        byte[] exact = Arrays.copyOf(insn, da.length);
        DecodedInstruction de = new DecodedInstruction();
        assertThat(Decoder.decode(exact, 0, exact.length, mode, de)).as("decode of exactly the instruction").isEqualTo(DecodeStatus.OK);
        assertThat(fields(de)).isEqualTo(fields(da));
        byte[] longer = Arrays.copyOf(insn, 15);
        for (int i = da.length; i < 15; i++) {
            longer[i] = (byte) 0xc4;
        }
        DecodedInstruction dl = new DecodedInstruction();
        assertThat(Decoder.decode(longer, 0, 15, mode, dl)).as("decode with 15 bytes valid").isEqualTo(DecodeStatus.OK);
        assertThat(fields(dl)).isEqualTo(fields(da));

        String text = da.toString();
        assertThat(text).isNotNull();
    }

    /** An instance with every field set to garbage: the decoder must overwrite all of them. */
    static DecodedInstruction dirty() {
        DecodedInstruction d = new DecodedInstruction();
        d.mode = CpuMode.VM86;
        d.length = 99;
        d.form = 77;
        d.family = 5;
        d.op = 3;
        d.attrs = -1;
        d.segmentOverride = 4;
        d.lock = true;
        d.operandSizePrefix = true;
        d.addressSizePrefix = true;
        d.repPrefix = 0xf3;
        d.rex = 0x4f;
        d.vexKind = 3;
        d.vexL = 1;
        d.vexW = true;
        d.vexV = 9;
        d.map = 5;
        d.opcode = 0x99;
        d.modrm = 0x55;
        d.mod = 2;
        d.reg = 13;
        d.rm = 11;
        d.base = 9;
        d.index = 10;
        d.scale = 3;
        d.disp = 0x123456789L;
        d.dispSize = 4;
        d.imm = -5;
        d.imm2 = 77;
        d.immSize = 8;
        d.operandSize = 8;
        d.addressSize = 2;
        return d;
    }

    static String fields(DecodedInstruction d) {
        return d.mode + " " + d.length + " " + d.form + " " + d.family + " " + d.op + " " + d.attrs + " "
            + d.segmentOverride + " " + d.lock + " " + d.operandSizePrefix + " " + d.addressSizePrefix + " "
            + d.repPrefix + " " + d.rex + " " + d.vexKind + " " + d.vexL + " " + d.vexW + " " + d.vexV + " "
            + d.map + " " + d.opcode + " " + d.modrm + " " + d.mod + " " + d.reg + " " + d.rm + " " + d.base + " "
            + d.index + " " + d.scale + " " + d.disp + " " + d.dispSize + " " + d.imm + " " + d.imm2 + " "
            + d.immSize + " " + d.operandSize + " " + d.addressSize;
    }
}
