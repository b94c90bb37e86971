package dev.hvex.spec;

import java.util.List;
import java.util.Map;

/**
 * The whole validated spec: the families with their operations, every entry (in file order, files
 * sorted by name) and the recognition blocks.
 */
public record Spec(Map<String, List<String>> families, List<Entry> entries, List<RecognizeBlock> blocks) {
}
