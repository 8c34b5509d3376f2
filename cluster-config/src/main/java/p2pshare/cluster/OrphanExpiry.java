package p2pshare.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When an orphan's resume window ends, its record and its resume token go. The deadline is an entry
 * of {@link ClusterNames#ORPHAN_EXPIRY_MAP} with a TTL, kept (with its backup) by the cluster, not
 * a timer of the member that made the orphan: it still expires when that member has died since.
 * Every data member listens to the expiries of the entries it owns; after a member dies its
 * partitions' new owners expire what it held.
 */
public final class OrphanExpiry implements EntryExpiredListener<String, Long> {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanExpiry.class);

  /** The orphan goes this long after its window ends (a resume at the last moment still lands). */
  public static final long GRACE_MS = 1_000;

  private final IMap<String, String> peers;
  private final IMap<String, String> tokens;

  private OrphanExpiry(HazelcastInstance hazelcast) {
    this.peers = hazelcast.getMap(ClusterNames.PEERS_MAP);
    this.tokens = hazelcast.getMap(ClusterNames.RESUME_TOKENS_MAP);
  }

  /** Registers this member's expiry listener (a lite member owns no entries: it has none). */
  public static void listen(HazelcastInstance hazelcast) {
    if (hazelcast.getCluster().getLocalMember().isLiteMember()) {
      return;
    }
    hazelcast
        .<String, Long>getMap(ClusterNames.ORPHAN_EXPIRY_MAP)
        .addLocalEntryListener(new OrphanExpiry(hazelcast));
  }

  /** Sets the deadline of a peer just made an orphan, resumable until {@code until} (epoch ms). */
  public static CompletionStage<Void> schedule(
      HazelcastInstance hazelcast, String peerId, long until) {
    return hazelcast
        .<String, Long>getMap(ClusterNames.ORPHAN_EXPIRY_MAP)
        .setAsync(peerId, until, ttlMs(until, System.currentTimeMillis()), TimeUnit.MILLISECONDS);
  }

  /** How long the deadline entry lives: to the end of the window plus the grace (at least 1 ms). */
  static long ttlMs(long until, long now) {
    return Math.max(1, until + GRACE_MS - now);
  }

  @Override
  public void entryExpired(EntryEvent<String, Long> event) {
    String peerId = event.getKey();
    // Removes the record only if it is still an orphan past its window (a resumed peer stays).
    peers
        .submitToKey(peerId, new DeadNodeJanitor.ExpireOrphan(System.currentTimeMillis()))
        .thenCompose(
            tokenHash ->
                tokenHash == null
                    ? CompletableFuture.<String>completedFuture(null)
                    : tokens.removeAsync(tokenHash))
        .exceptionally(
            e -> {
              LOG.warn("orphan expiry failed peer={} error={}", peerId, e.toString());
              return null;
            });
  }
}
