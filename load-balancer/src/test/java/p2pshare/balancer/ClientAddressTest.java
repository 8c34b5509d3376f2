package p2pshare.balancer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
  @Test
  void onlyLoopbackAndPrivatePeersCountAsProxies() {
    for (String proxy :
        new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "::1", "fd00::1"}) {
      assertTrue(ClientAddress.isProxyAddress(proxy), proxy);
    }
    for (String client : new String[] {"203.0.113.7", "8.8.8.8", "2001:db8::1", "example.com"}) {
      assertFalse(ClientAddress.isProxyAddress(client), client);
    }
  }
}
