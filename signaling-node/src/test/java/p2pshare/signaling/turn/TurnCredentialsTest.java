package p2pshare.signaling.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
  @Test
  void coturnUseAuthSecretScheme() {
    TurnCredentials turn =
        new TurnCredentials(
            List.of("stun:turn.example:3478", "turn:turn.example:3478?transport=udp"),
            "s3cret",
            600);
    JsonArray servers = turn.iceServers("peerAAAAAAAAAAAAAAAAAA", 1_000_000);
    assertEquals(2, servers.size());
    assertEquals(
        new JsonArray(List.of("stun:turn.example:3478")),
        servers.getJsonObject(0).getJsonArray("urls"));
    JsonObject relay = servers.getJsonObject(1);
    assertEquals("1000600:peerAAAAAAAAAAAAAAAAAA", relay.getString("username"));
    // Known answer: printf '1000600:peerAAAAAAAAAAAAAAAAAA' | openssl dgst -sha1 -hmac s3cret
    // -binary | base64
    assertEquals("02dg0QuN6eO3BByR+f1333d0azs=", relay.getString("credential"));
  }

  @Test
  void noTurnWithoutASecret() {
    TurnCredentials turn = new TurnCredentials(List.of("turn:turn.example:3478"), "", 600);
    assertEquals(new JsonArray(), turn.iceServers("p", 1));
  }
}
