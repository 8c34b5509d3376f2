package p2pshare.balancer;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges Prometheus text expositions (format 0.0.4) of several processes into one valid text: each
 * metric family's {@code # HELP} and {@code # TYPE} once, followed by the samples of every process.
 * A sample without a {@code node} label gets the one of the process it came from, so series never
 * collide; an exact duplicate series is kept once.
 */
public final class PrometheusText {
  /** Sample name suffixes that belong to the family declared before them. */
  private static final List<String> FAMILY_SUFFIXES =
      List.of("_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum");

  /** One process's exposition and the node id to label its unlabelled samples with. */
  public record Source(String nodeId, String text) {}

  private PrometheusText() {}

  private static final class Family {
    final String name;
    String help;
    String type;
    final StringBuilder samples = new StringBuilder();

    Family(String name) {
      this.name = name;
    }

    boolean owns(String sampleName) {
      if (sampleName.equals(name)) {
        return true;
      }
      if (!sampleName.startsWith(name)) {
        return false;
      }
      String rest = sampleName.substring(name.length());
      return FAMILY_SUFFIXES.contains(rest);
    }
  }

  public static String merge(List<Source> sources) {
    Map<String, Family> families = new LinkedHashMap<>();
    Set<String> seriesSeen = new HashSet<>();
    for (Source source : sources) {
      Family current = null;
      for (String raw : source.text().split("\n")) {
        String line = raw.strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("#")) {
          String[] parts = line.split("\\s+", 4);
          if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            current = families.computeIfAbsent(parts[2], Family::new);
            if (parts[1].equals("HELP") && current.help == null) {
              current.help = line;
            } else if (parts[1].equals("TYPE") && current.type == null) {
              current.type = line;
            }
          }
          continue; // other comments (and OpenMetrics' # EOF) are dropped
        }
        String name = sampleName(line);
        if (name.isEmpty()) {
          continue;
        }
        if (current == null || !current.owns(name)) {
          current = families.computeIfAbsent(familyOf(name, families), Family::new);
        }
        String sample = withNodeLabel(line, name, source.nodeId());
        if (seriesSeen.add(seriesKey(sample))) {
          current.samples.append(sample).append('\n');
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (Family f : families.values()) {
      if (f.help != null) {
        out.append(f.help).append('\n');
      }
      if (f.type != null) {
        out.append(f.type).append('\n');
      }
      out.append(f.samples);
    }
    return out.toString();
  }

  /** The family a sample belongs to when no header of this source announced it. */
  private static String familyOf(String sampleName, Map<String, Family> families) {
    for (Family f : families.values()) {
      if (f.type != null && f.owns(sampleName)) {
        return f.name;
      }
    }
    return sampleName;
  }

  static String sampleName(String line) {
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '{' || c == ' ' || c == '\t') {
        break;
      }
      i++;
    }
    return line.substring(0, i);
  }

  /** Name and labels of a sample: the part before the value. */
  private static String seriesKey(String sample) {
    int end = labelsEnd(sample, sampleName(sample).length());
    return sample.substring(0, end);
  }

  /** Index just past the label set (or the name when there is none). */
  private static int labelsEnd(String line, int nameEnd) {
    if (nameEnd >= line.length() || line.charAt(nameEnd) != '{') {
      return nameEnd;
    }
    int close = nextUnquoted(line, nameEnd + 1, "}");
    return close < 0 ? line.length() : close + 1;
  }

  static String withNodeLabel(String line, String name, String nodeId) {
    int nameEnd = name.length();
    int end = labelsEnd(line, nameEnd);
    String labels = line.substring(nameEnd, end);
    if (hasLabel(labels, "node")) {
      return line;
    }
    String label = "node=\"" + escape(nodeId) + "\"";
    if (labels.isEmpty()) {
      return name + "{" + label + "}" + line.substring(end);
    }
    String inner = labels.substring(1, labels.length() - 1).strip();
    String joined = inner.isEmpty() || inner.endsWith(",") ? inner + label : inner + "," + label;
    return name + "{" + joined + "}" + line.substring(end);
  }

  private static boolean hasLabel(String labels, String key) {
    int tokenStart = 1;
    for (int i = nextUnquoted(labels, 1, "=,"); i >= 0; i = nextUnquoted(labels, i + 1, "=,")) {
      if (labels.charAt(i) == ',') {
        tokenStart = i + 1;
      } else if (labels.substring(tokenStart, i).strip().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** Index of the next of {@code chars} at or after {@code from} outside a quoted value, or -1. */
  private static int nextUnquoted(String s, int from, String chars) {
    boolean quoted = false;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (chars.indexOf(c) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
