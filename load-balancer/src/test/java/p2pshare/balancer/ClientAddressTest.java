package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import p2pshare.cluster.AddressRanges;
import p2pshare.cluster.ClientIp;

/** Issue 14 finding 5: X-Forwarded-For is believed only from TRUSTED_PROXIES. */
class ClientAddressTest {
  @Test
  void withoutTrustedProxiesTheHeaderIsIgnoredEvenFromLoopback() {
    ClientIp none = new ClientIp(AddressRanges.of(List.of()));
    assertEquals("127.0.0.1", none.resolve("127.0.0.1", "198.51.100.7"));
    assertEquals("10.0.0.5", none.resolve("10.0.0.5", "198.51.100.7"));
  }

  @Test
  void fromATrustedProxyTheNearestUntrustedHopIsTheClient() {
    ClientIp ingress = new ClientIp(AddressRanges.of(List.of("10.0.0.0/8", "192.168.1.1")));
    assertEquals("203.0.113.7", ingress.resolve("10.1.2.3", "198.51.100.77, 203.0.113.7"));
    // a chain of trusted proxies is walked past
    assertEquals("203.0.113.7", ingress.resolve("192.168.1.1", "9.9.9.9, 203.0.113.7, 10.9.9.9"));
    // garbage the client prepended or a malformed hop never becomes the key
    assertEquals("10.1.2.3", ingress.resolve("10.1.2.3", "evil.example"));
    assertEquals("10.1.2.3", ingress.resolve("10.1.2.3", ""));
    // an untrusted peer's header is ignored
    assertEquals("203.0.113.9", ingress.resolve("203.0.113.9", "198.51.100.1"));
  }

  @Test
  void cidrBlocksMatchByPrefix() {
    AddressRanges r = AddressRanges.of(List.of("172.16.0.0/12", "fd00::/8", "::1"));
    assertEquals(true, r.contains("172.31.255.255"));
    assertEquals(false, r.contains("172.32.0.1"));
    assertEquals(true, r.contains("fd12::3"));
    assertEquals(true, r.contains("::1"));
    assertEquals(false, r.contains("2001:db8::1"));
    assertEquals(false, r.contains("localhost"));
    assertEquals(false, AddressRanges.isValid("10.0.0.0/33"));
    assertEquals(false, AddressRanges.isValid("example.com"));
  }

  @Test
  void privateMeansLoopbackRfc1918LinkLocalCgnatUniqueLocal() {
    for (String p :
        List.of(
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fd00::1")) {
      assertEquals(true, AddressRanges.isPrivate(p), p);
    }
    for (String p :
        List.of("203.0.113.7", "8.8.8.8", "100.128.0.1", "2001:db8::1", "example.com")) {
      assertEquals(false, AddressRanges.isPrivate(p), p);
    }
  }
}
