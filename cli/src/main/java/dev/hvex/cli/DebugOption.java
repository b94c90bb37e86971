package dev.hvex.cli;

import picocli.CommandLine.Option;

/** {@code --debug}, accepted by every subcommand (read by {@link Main} before parsing). */
final class DebugOption {
    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;
}
