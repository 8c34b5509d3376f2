package p2pshare.signaling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The default Origin rule (ALLOWED_ORIGINS empty) and the explicit allow-list. */
class OriginPolicyTest {
  private final OriginPolicy byDefault = new OriginPolicy(List.of());

  @Test
  void sameHostAnyPortIsAccepted() {
    assertTrue(byDefault.allowed("http://example.org:8080", "example.org"));
    assertTrue(byDefault.allowed("https://P2P.example.org", "p2p.example.org"));
  }

  @Test
  void noOriginIsANonBrowserClientAndAccepted() {
    assertTrue(byDefault.allowed(null, "localhost"));
  }

  @Test
  void loopbackAliasesOfThisMachineReachEachOther() {
    assertTrue(byDefault.allowed("http://127.0.0.1:8080", "localhost"));
    assertTrue(byDefault.allowed("http://localhost:8080", "127.0.0.1"));
    assertTrue(byDefault.allowed("http://[::1]:8080", "localhost"));
    assertTrue(byDefault.allowed("http://localhost:8080", "[::1]"));
  }

  @Test
  void aPageOnAnotherAddressOfThisMachineIsAccepted() {
    Optional<String> lan = nonLoopbackAddress();
    assumeTrue(lan.isPresent(), "this machine has no non-loopback IPv4 address");
    assertTrue(byDefault.allowed("http://" + lan.get() + ":8080", "localhost"));
    assertTrue(byDefault.allowed("http://localhost:8080", lan.get()));
  }

  @Test
  void foreignPagesAreRefused() {
    assertFalse(byDefault.allowed("https://evil.example", "localhost"));
    assertFalse(byDefault.allowed("https://evil.example", "127.0.0.1"));
    // 198.51.100.0/24 is TEST-NET-2: never an address of this machine
    assertFalse(byDefault.allowed("http://198.51.100.7:8080", "localhost"));
    // a named host we cannot tell is ours (no DNS lookup in a handshake): only an exact match
    assertFalse(byDefault.allowed("http://127.0.0.1:8080", "p2p.example.org"));
    assertFalse(byDefault.allowed("http://localhost.evil.example", "localhost"));
    assertFalse(byDefault.allowed("not a url ::", "localhost"));
    assertFalse(byDefault.allowed("null", "localhost"));
  }

  @Test
  void anExplicitAllowListIsExact() {
    OriginPolicy list = new OriginPolicy(List.of("https://share.example.org/"));
    assertTrue(list.allowed("https://share.example.org", "node1.example.org"));
    assertFalse(list.allowed("http://localhost:8080", "localhost"));
    assertFalse(list.allowed("https://share.example.org:444", "share.example.org"));
  }

  private static Optional<String> nonLoopbackAddress() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
            return Optional.of(a.getHostAddress());
          }
        }
      }
    } catch (java.net.SocketException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
