package dev.hvex.cli;

import dev.hvex.CpuMode;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hvex spec}: the coverage table of the opcode spec compiled into this build. */
@Command(name = "spec", mixinStandardHelpOptions = true,
        description = {"Print what the opcode spec compiled into this build covers: for each semantic family, the "
            + "number of instruction forms the emulator executes in each mode; then the forms recognised only "
            + "(decoded and measured, answered as unsupported) and the totals."},
        footerHeading = "%nExample:%n",
        footer = {"  hvex spec"})
final class SpecCommand implements Callable<Integer> {
    private static final CpuMode[] MODES = {CpuMode.REAL16, CpuMode.PROT16, CpuMode.PROT32, CpuMode.COMPAT16,
        CpuMode.COMPAT32, CpuMode.LONG64};

    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debugOption;

    @Override
    public Integer call() {
        String[] header = new String[MODES.length + 2];
        header[0] = "family";
        for (int m = 0; m < MODES.length; m++) {
            header[m + 1] = MODES[m].label();
        }
        header[MODES.length + 1] = "forms";
        Table t = new Table(header);
        int[][] counts = new int[Families.COUNT + 1][MODES.length + 1];
        for (int form = 0; form < Forms.COUNT; form++) {
            int family = Forms.family(form);
            int row = family < 0 ? Families.COUNT : family;
            int modes = (Forms.attrs(form) >> Forms.ATTR_MODES_SHIFT) & 3;
            for (int m = 0; m < MODES.length; m++) {
                boolean is64 = MODES[m].is64();
                if (modes == 0 || (modes == 1 && !is64) || (modes == 2 && is64)) {
                    counts[row][m]++;
                }
            }
            counts[row][MODES.length]++;
        }
        int executed = 0;
        for (int f = 0; f < Families.COUNT; f++) {
            String[] cells = new String[MODES.length + 2];
            cells[0] = Families.name(f);
            for (int m = 0; m <= MODES.length; m++) {
                cells[m + 1] = String.valueOf(counts[f][m]);
            }
            executed += counts[f][MODES.length];
            t.row(cells);
        }
        String[] recognised = new String[MODES.length + 2];
        recognised[0] = "(recognised only)";
        for (int m = 0; m <= MODES.length; m++) {
            recognised[m + 1] = String.valueOf(counts[Families.COUNT][m]);
        }
        t.row(recognised);
        t.print(spec.commandLine().getOut());
        spec.commandLine().getOut().println();
        spec.commandLine().getOut().println(Forms.COUNT + " forms: " + executed + " executed in " + Families.COUNT
            + " families, " + counts[Families.COUNT][MODES.length] + " recognised only (recognition blocks count one "
            + "form per block)");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
