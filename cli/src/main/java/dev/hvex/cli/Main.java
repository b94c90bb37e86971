package dev.hvex.cli;

import dev.hvex.conformance.CaseFormatException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/** The hvex command line. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs hvex with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err, Arrays.asList(args).contains("--debug")).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean debug) {
        CommandLine cl = new CommandLine(new HvexCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ParameterException ex, String[] args) -> {
            CommandLine c = ex.getCommandLine();
            err.println(commandName(c) + ": " + oneLine(ex.getMessage()) + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((Exception ex, CommandLine c, CommandLine.ParseResult parsed) -> {
            int code;
            if (ex instanceof BadInputException || ex instanceof CaseFormatException
                    || ex instanceof java.io.UncheckedIOException) {
                err.println(commandName(c) + ": " + oneLine(ex.getMessage()));
                code = ExitCodes.BAD_INPUT;
            } else {
                err.println(commandName(c) + ": internal error: " + oneLine(String.valueOf(ex))
                        + (debug ? "" : " (run with --debug for the stack trace)"));
                code = ExitCodes.INTERNAL;
            }
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code;
        });
        return cl;
    }

    private static String commandName(CommandLine c) {
        return c.getCommandSpec().qualifiedName();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** The top command: only subcommands. */
    @Command(name = "hvex", mixinStandardHelpOptions = true, version = "hvex 0.1.0",
            description = "x86 instruction emulation for hypervisor MMIO and port-I/O exits.",
            subcommands = {DecodeCommand.class, EmulateCommand.class, ConformCommand.class, ReplayCommand.class,
                SpecCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
            footerHeading = "%nExit codes:%n",
            footer = {"  0  done (conform: nothing failed)", "  1  conform: a case failed; emulate --case: the expectation did not hold",
                "  2  bad input (one line on stderr names it)", "  3  internal error (--debug prints the stack trace)"})
    static final class HvexCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--debug", description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: decode, emulate, conform, replay, spec or bench");
        }
    }
}
