package dev.hvex.cli;

import dev.hvex.CpuMode;
import dev.hvex.conformance.Bytes;
import dev.hvex.decode.DecodeStatus;
import dev.hvex.decode.DecodedInstruction;
import dev.hvex.decode.Decoder;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hvex decode}: instruction lengths and text. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode x86 instructions: a line per instruction with its offset (hex), length, bytes and "
            + "Intel-syntax text. An undefined encoding prints (bad) with length 1, and decoding goes on at the next byte."},
        footerHeading = "%nExamples:%n",
        footer = {"  hvex decode --mode long64 --hex '48 8b 03 0f 0b'",
            "  0000  3  488b03            mov rax, qword ptr [rbx]",
            "  hvex decode --mode prot32 --file code.bin --offset 0x200 --count 10 --format lengths"})
final class DecodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Option(names = "--mode", required = true, converter = ModeConverter.class, paramLabel = "MODE",
            description = "real16, vm86, prot16, prot32, compat16, compat32 or long64.")
    CpuMode mode;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--hex", paramLabel = "HEX", description = "The bytes, as hex digits (spaces allowed).")
        String hex;

        @Option(names = "--file", paramLabel = "BIN", description = "A binary file of code.")
        String file;
    }

    @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Start this many bytes into the code (default 0).")
    String offset;

    @Option(names = "--count", paramLabel = "N", description = "Decode at most N instructions (default: to the end).")
    String count;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (offset, length, bytes, text: the default) or lengths (offset and length only).")
    String format;

    @Override
    public Integer call() {
        byte[] code = source.hex != null ? Inputs.hexBytes(source.hex, "--hex") : Inputs.readAll(Inputs.readableFile(source.file));
        long start = Inputs.number(offset, 0, code.length, "--offset");
        long max = count == null ? Long.MAX_VALUE : Inputs.number(count, 0, Integer.MAX_VALUE, "--count");
        boolean lengthsOnly;
        switch (format) {
            case "text":
                lengthsOnly = false;
                break;
            case "lengths":
                lengthsOnly = true;
                break;
            default:
                throw new BadInputException("--format: unknown format '" + format + "' (formats: text, lengths)");
        }
        PrintWriter out = spec.commandLine().getOut();
        DecodedInstruction insn = new DecodedInstruction();
        int pos = (int) start;
        long done = 0;
        while (pos < code.length && done < max) {
            int status = Decoder.decode(code, pos, code.length - pos, mode, insn);
            int length;
            String text;
            boolean stop = false;
            if (status == DecodeStatus.OK) {
                length = insn.length;
                text = insn.toString();
            } else if (status == DecodeStatus.NEED_MORE_BYTES) {
                length = code.length - pos;
                text = "(truncated)";
                stop = true;
            } else {
                length = 1;
                text = status == DecodeStatus.UNDEFINED ? "(bad)" : "(bad: " + DecodeStatus.name(status) + ")";
            }
            if (lengthsOnly) {
                out.printf("%04x %d%n", pos, length);
            } else {
                out.printf("%04x  %-2d %-18s %s%n", pos, length, Bytes.toHex(code, pos, length), text);
            }
            pos += length;
            done++;
            if (stop) {
                break;
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
