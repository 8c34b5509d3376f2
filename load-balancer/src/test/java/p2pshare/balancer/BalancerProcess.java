package p2pshare.balancer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A balancer in its own JVM, its output in files: started from the shaded jar or the classpath. */
final class BalancerProcess {
  private static final Pattern READY = Pattern.compile("balancer ready .*port=(\\d+)");

  final Process process;
  final Path out;
  final Path err;

  private BalancerProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** The balancer's shipped JVM flags: every launcher uses them (PROTOCOL.md). */
  static final Path JVM_OPTIONS = Path.of("jvm.options").toAbsolutePath();

  /**
   * Starts {@code java @jvm.options -jar jar} (or the main class on this test's classpath when jar
   * is null).
   */
  static BalancerProcess start(Path jar, Map<String, String> env, Path dir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "@" + JVM_OPTIONS));
    if (jar != null) {
      command.addAll(List.of("-jar", jar.toString()));
    } else {
      command.addAll(
          List.of("-cp", System.getProperty("java.class.path"), BalancerMain.class.getName()));
    }
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment()
        .keySet()
        .removeIf(
            k ->
                k.equals("PORT")
                    || k.equals("HOST")
                    || k.equals("NODE_ID")
                    || k.startsWith("CLUSTER_"));
    pb.environment().putAll(env);
    return new BalancerProcess(pb.start(), out, err);
  }

  /** The HTTP port from the "balancer ready" log line, once it is there. */
  int awaitReadyPort() {
    return TestSupport.waitFor(
        "the balancer to be ready",
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError("balancer exited: " + read(err) + read(out));
          }
          Matcher m = READY.matcher(read(out));
          return m.find() ? Integer.parseInt(m.group(1)) : null;
        });
  }

  List<String> stderrLines() {
    return read(err).lines().filter(l -> !l.isBlank()).toList();
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
