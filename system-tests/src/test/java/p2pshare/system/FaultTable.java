package p2pshare.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's result table: one row per scenario, printed and written to target/. */
final class FaultTable {
  static final Path FILE = Path.of("target", "faults-table.md");

  /** One scenario's trials. */
  static final class Row {
    final String scenario;
    int trials;
    int failures;
    final FaultChecker.Tally tally = new FaultChecker.Tally();
    final List<Double> convergeSeconds = new ArrayList<>();
    int notConverged;
    final List<String> notes = new ArrayList<>();

    Row(String scenario) {
      this.scenario = scenario;
    }

    void trial(boolean failed, FaultChecker.Tally t, double seconds, String note) {
      trials++;
      if (failed) {
        failures++;
      }
      tally.add(t);
      if (seconds < 0) {
        notConverged++;
      } else {
        convergeSeconds.add(seconds);
      }
      if (failed && note != null && notes.size() < 6) {
        notes.add("trial " + trials + ": " + note);
      }
    }

    /** A note on a trial that did not fail (e.g. a node restarted by the suite's supervisor). */
    void remark(String note) {
      if (notes.size() < 6) {
        notes.add("trial " + trials + ": " + note);
      }
    }

    String converge() {
      if (convergeSeconds.isEmpty()) {
        return notConverged > 0 ? "never (" + notConverged + ")" : "-";
      }
      List<Double> s = new ArrayList<>(convergeSeconds);
      s.sort(Double::compare);
      String r =
          String.format(Locale.ROOT, "%.1f / %.1f", s.get(s.size() / 2), s.get(s.size() - 1));
      return notConverged > 0 ? r + ", never in " + notConverged : r;
    }
  }

  private final List<Row> rows = new ArrayList<>();

  synchronized Row row(String scenario) {
    Row r = new Row(scenario);
    rows.add(r);
    return r;
  }

  synchronized String render() {
    StringBuilder b = new StringBuilder();
    b.append(
        "| scenario | trials | failures | lost (silent) | lost (announced) | duplicated"
            + " | order violations | seconds to converge (median / max) |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %d | %d | %d | %s |%n",
              r.scenario,
              r.trials,
              r.failures,
              r.tally.lost,
              r.tally.lostAnnounced,
              r.tally.duplicated(),
              r.tally.orderViolations,
              r.converge()));
    }
    b.append('\n');
    for (Row r : rows) {
      b.append("- ").append(r.scenario).append(": ").append(r.tally).append('\n');
      for (String n : r.notes) {
        b.append("  - ").append(n).append('\n');
      }
    }
    return b.toString();
  }

  void write() {
    String text = render();
    System.out.println("FAULT SUITE\n" + text);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, text);
    } catch (IOException e) {
      System.out.println("could not write " + FILE + ": " + e);
    }
  }
}
