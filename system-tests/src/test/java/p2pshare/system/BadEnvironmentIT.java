package p2pshare.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad value stops start-up with one clear line naming the variable. */
class BadEnvironmentIT {
  @ParameterizedTest
  @CsvSource({
    "PORT, abc",
    "PORT, 70000",
    "CLUSTER_MEMBERS, 'not a host!,127.0.0.1'",
    "CLUSTER_PORT, -1",
    "RESUME_WINDOW_S, soon",
    "MAX_PEERS_PER_ROOM, 0",
    "NODE_ID, 'has space'"
  })
  void nodeRefusesToStart(String variable, String value) throws Exception {
    try (JarProcess node = JarProcess.start("nodeJar", "bad-env", 0, Map.of(variable, value))) {
      assertTrue(node.process.waitFor(60, TimeUnit.SECONDS), "exits");
      assertNotEquals(0, node.process.exitValue());
      List<String> lines = Files.readAllLines(node.log).stream().filter(l -> !l.isBlank()).toList();
      assertEquals(1, lines.size(), "one line: " + lines);
      assertTrue(lines.get(0).contains(variable), lines.get(0));
    }
  }
}
