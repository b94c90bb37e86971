package dev.hvex.cli;

import dev.hvex.conformance.Bytes;
import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.Hex;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Parsing of command-line values, each failure a {@link BadInputException} naming the input. */
final class Inputs {
    private Inputs() {
    }

    /**
     * Hex bytes; spaces between digit pairs and a leading {@code 0x} are allowed.
     *
     * @param what the option, for messages ({@code --hex})
     */
    static byte[] hexBytes(String text, String what) {
        StringBuilder digits = new StringBuilder();
        int[] position = new int[text.length()];
        int start = text.startsWith("0x") || text.startsWith("0X") ? 2 : 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == ':' || c == '_') {
                continue;
            }
            if (Character.digit(c, 16) < 0) {
                throw new BadInputException(what + ": bad hex digit '" + c + "' at position " + (i + 1) + " of '" + text + "'");
            }
            position[digits.length()] = i;
            digits.append(c);
        }
        if (digits.length() == 0) {
            throw new BadInputException(what + ": no hex digits in '" + text + "'");
        }
        if ((digits.length() & 1) != 0) {
            throw new BadInputException(what + ": odd number of hex digits (" + digits.length() + ") in '" + text + "'");
        }
        return Bytes.ofHex(digits).toArray();
    }

    /** An unsigned number, {@code 0x} hex or decimal, of at most {@code bits} bits. */
    static long number(String text, int bits, String what) {
        try {
            return Hex.parseUnsigned(text.strip(), bits);
        } catch (NumberFormatException e) {
            throw new BadInputException(what + ": " + e.getMessage());
        }
    }

    /** A number in {@code [min, max]}. */
    static long number(String text, long min, long max, String what) {
        long v = number(text, 64, what);
        if (v < min || v > max) {
            throw new BadInputException(what + ": " + text.strip() + " is out of range (" + min + ".." + max + ")");
        }
        return v;
    }

    /** Checks that a file can be read; a one-line reason otherwise. */
    static Path readableFile(String name) {
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            throw new BadInputException("cannot read '" + name + "': no such file");
        }
        if (Files.isDirectory(p)) {
            throw new BadInputException("cannot read '" + name + "': it is a directory");
        }
        if (!Files.isReadable(p)) {
            throw new BadInputException("cannot read '" + name + "': permission denied");
        }
        return p;
    }

    static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new BadInputException("cannot read '" + p + "': no such file");
        } catch (AccessDeniedException e) {
            throw new BadInputException("cannot read '" + p + "': permission denied");
        } catch (IOException e) {
            throw new BadInputException("cannot read '" + p + "': " + e.getMessage());
        }
    }

    static CaseReader openCases(Path p) {
        try {
            return CaseReader.open(p);
        } catch (IOException e) {
            throw new BadInputException("cannot read '" + p + "': " + e.getMessage());
        }
    }
}
