package dev.hvex.conformance.generate;

import dev.hvex.conformance.CaseReader;
import dev.hvex.conformance.CaseWriter;
import dev.hvex.conformance.ExitCase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs cases through the KVM oracle ({@code conformance/oracle/kvm}, Linux KVM's instruction emulator on
 * /dev/kvm) in {@code jobs} parallel processes and returns its answers by case id. Cases it skips are
 * absent; the ids it warned wrote outside the case's regions are in {@link #outside()}.
 */
final class KvmOracle {
    private final Path binary;
    private final Path work;
    private final int jobs;
    private final Set<String> outside = new HashSet<>();

    private KvmOracle(Path binary, Path work, int jobs) {
        this.binary = binary;
        this.work = work;
        this.jobs = Math.max(1, jobs);
    }

    /** The oracle, or null when there is no binary or no usable /dev/kvm. */
    static KvmOracle find(String binary, Path work, int jobs) {
        return unavailableReason(binary) == null ? new KvmOracle(Path.of(binary), work, jobs) : null;
    }

    static String unavailableReason(String binary) {
        if (binary == null) {
            return "no --kvm-oracle given";
        }
        if (!Files.isExecutable(Path.of(binary))) {
            return "no KVM oracle binary at " + binary;
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return "no /dev/kvm on this machine";
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return "/dev/kvm is not readable and writable";
        }
        return null;
    }

    Set<String> outside() {
        return outside;
    }

    Map<String, ExitCase> run(List<ExitCase> cases, String name, PrintStream log) throws IOException, InterruptedException {
        Path[] in = new Path[jobs];
        Path[] out = new Path[jobs];
        Path[] err = new Path[jobs];
        CaseWriter[] w = new CaseWriter[jobs];
        for (int j = 0; j < jobs; j++) {
            in[j] = work.resolve(name + "-in" + j + ".jsonl");
            out[j] = work.resolve(name + "-out" + j + ".jsonl");
            err[j] = work.resolve(name + "-" + j + ".log");
            w[j] = CaseWriter.create(in[j]);
        }
        for (int i = 0; i < cases.size(); i++) {
            w[i % jobs].write(cases.get(i));
        }
        for (CaseWriter x : w) {
            x.close();
        }
        List<Process> procs = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), in[j].toString());
            pb.redirectOutput(out[j].toFile());
            pb.redirectError(err[j].toFile());
            procs.add(pb.start());
        }
        for (Process p : procs) {
            p.waitFor();
        }
        Map<String, ExitCase> byId = new HashMap<>();
        for (int j = 0; j < jobs; j++) {
            outside.addAll(CaseGenerator.outsideWrites(err[j], name, "hvex-kvm-oracle:", log));
            try (CaseReader r = CaseReader.open(out[j])) {
                for (ExitCase c : r) {
                    byId.put(c.id(), c);
                }
            }
        }
        return byId;
    }
}
