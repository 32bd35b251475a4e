package io.qcheckpoint.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Rows of text printed in aligned columns, two spaces apart; the first row is the header. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean rightAlignLast;

    /**
     * Creates a table.
     *
     * @param rightAlignLast whether the last column is right-aligned (numbers)
     * @param header the column titles
     */
    TextTable(boolean rightAlignLast, String... header) {
        this.rightAlignLast = rightAlignLast;
        rows.add(header);
    }

    /** Adds a row with as many cells as the header. */
    void add(String... cells) {
        if (cells.length != rows.get(0).length) {
            throw new IllegalArgumentException("a row needs " + rows.get(0).length + " cells, got " + cells.length);
        }
        rows.add(cells);
    }

    /** Prints the rows, columns padded to their widest cell. */
    void print(PrintWriter out) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                boolean last = c == columns - 1;
                String gap = " ".repeat(width[c] - r[c].length());
                line.append(last && rightAlignLast ? gap + r[c] : r[c] + (last ? "" : gap));
                if (!last) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
