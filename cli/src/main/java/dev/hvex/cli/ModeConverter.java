package dev.hvex.cli;

import dev.hvex.CpuMode;
import dev.hvex.conformance.CaseParser;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --mode}: a mode label; a wrong one lists the modes. */
final class ModeConverter implements ITypeConverter<CpuMode> {
    @Override
    public CpuMode convert(String value) {
        CpuMode m = CpuMode.fromLabel(value.strip().toLowerCase(java.util.Locale.ROOT));
        if (m == null) {
            throw new TypeConversionException("unknown mode '" + value + "' (modes: " + CaseParser.modeList() + ")");
        }
        return m;
    }
}
