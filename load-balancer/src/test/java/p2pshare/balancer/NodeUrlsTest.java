package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which node URL a browser gets, by the host it used to reach the balancer. */
class NodeUrlsTest {
  @Test
  void aLanBrowserGetsALoopbackNodeUnderItsOwnHost() {
    assertEquals(
        "ws://192.168.1.20:8081/ws", NodeUrls.forRequest("ws://localhost:8081/ws", "192.168.1.20"));
    assertEquals(
        "ws://laptop.local:8082/ws", NodeUrls.forRequest("ws://127.0.0.1:8082/ws", "laptop.local"));
    assertEquals(
        "wss://[fd00::2]:9/ws?x=1", NodeUrls.forRequest("wss://[::1]:9/ws?x=1", "fd00::2"));
    assertEquals("ws://[fd00::2]:9/ws", NodeUrls.forRequest("ws://0.0.0.0:9/ws", "[fd00::2]"));
    assertEquals("ws://10.0.0.5/ws", NodeUrls.forRequest("ws://localhost/ws", "10.0.0.5"));
  }

  @Test
  void aLoopbackBrowserGetsTheUrlUnchanged() {
    assertEquals(
        "ws://localhost:8081/ws", NodeUrls.forRequest("ws://localhost:8081/ws", "127.0.0.1"));
    assertEquals(
        "ws://localhost:8081/ws", NodeUrls.forRequest("ws://localhost:8081/ws", "localhost"));
    assertEquals("ws://localhost:8081/ws", NodeUrls.forRequest("ws://localhost:8081/ws", "[::1]"));
    assertEquals("ws://localhost:8081/ws", NodeUrls.forRequest("ws://localhost:8081/ws", null));
  }

  @Test
  void aRealPublicUrlIsNeverRewritten() {
    assertEquals(
        "wss://node-1.example.org/ws",
        NodeUrls.forRequest("wss://node-1.example.org/ws", "192.168.1.20"));
    assertEquals(
        "ws://192.168.1.9:8081/ws", NodeUrls.forRequest("ws://192.168.1.9:8081/ws", "10.0.0.5"));
    assertEquals("not a url", NodeUrls.forRequest("not a url", "10.0.0.5"));
  }
}
