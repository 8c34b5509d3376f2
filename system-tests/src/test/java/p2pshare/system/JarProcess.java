package p2pshare.system;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One real `java -jar` process of the project, configured only by its environment. */
final class JarProcess implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final String host;
  final int port;
  final Process process;
  final Path log;

  private JarProcess(String name, String host, int port, Process process, Path log) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java @<module>/jvm.options -jar <jar>}, the way every launcher of the project
   * does (PROTOCOL.md, operating contract). The jar lies at {@code <module>/target/<name>.jar}.
   */
  static JarProcess start(String jarProperty, String name, int port, Map<String, String> env)
      throws IOException {
    return start(jarProperty, name, "127.0.0.1", port, env, List.of());
  }

  /**
   * As {@link #start(String, String, int, Map)}, the command run behind {@code prefix} (e.g. {@code
   * ip netns exec <ns>}, which execs it: the process's pid is the JVM's) and answering HTTP on
   * {@code host}.
   */
  static JarProcess start(
      String jarProperty,
      String name,
      String host,
      int port,
      Map<String, String> env,
      List<String> prefix)
      throws IOException {
    Path jar = Path.of(System.getProperty(jarProperty)).toAbsolutePath();
    Path log = Files.createTempFile("p2p-" + name, ".log");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(javaCommand(jar));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new JarProcess(name, host, port, pb.start(), log);
  }

  /** java, the module's jvm.options when it exists, -jar, the jar. */
  static List<String> javaCommand(Path jar) {
    Path options = jar.getParent().getParent().resolve("jvm.options");
    List<String> command = new ArrayList<>();
    command.add("java");
    if (Files.exists(options)) {
      command.add("@" + options);
    }
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls /readyz until 200: a condition, not a sleep. */
  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited: " + Files.readString(log));
      }
      if (status("/readyz") == 200) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException(
        name + " not ready in " + timeout + ": " + Files.readString(log));
  }

  int status(String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(base() + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  String get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  String post(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** http://host:port of this process. */
  String base() {
    return "http://" + host + ":" + port;
  }

  /** SIGSTOP: the process freezes as in a long GC pause; its sockets stay open. */
  void freeze() throws Exception {
    signal("STOP");
  }

  /** SIGCONT. */
  void thaw() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** kill -9. */
  void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (!Boolean.getBoolean("keepLogs")) {
      new File(log.toString()).delete();
    }
  }
}
