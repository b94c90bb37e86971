package dev.hvex.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: the first column left-aligned, the others right-aligned. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    void row(String... cells) {
        rows.add(cells);
    }

    void print(PrintWriter out) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                if (i == 0) {
                    sb.append(r[i]).append(" ".repeat(width[i] - r[i].length()));
                } else {
                    sb.append("  ").append(" ".repeat(width[i] - r[i].length())).append(r[i]);
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
