package p2pshare.system;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges everything the clients of a trial saw, against PROTOCOL.md:
 *
 * <ul>
 *   <li><b>lost</b>: a signal sent and never received, where neither side was told some messages
 *       may be missing — no {@code recovered:false} resume, no {@code bad-resume}, no drop of the
 *       sender's socket after it sent (its bytes may have died with the socket) — and the receiver
 *       had not been given up before the send. Losses that were announced are counted apart.
 *   <li><b>duplicated</b>: a signal received twice, a seq at or below the last one processed (a
 *       replay of something already delivered), or a {@code peer-joined} for a peer already known.
 *   <li><b>order violations</b>: a signal with a lower counter after a higher one, per sender and
 *       receiver.
 * </ul>
 */
final class FaultChecker {
  private FaultChecker() {}

  /** The tally of one trial. */
  static final class Tally {
    long sent;
    long received;
    long lost;
    long lostAnnounced;
    long toPhantoms;
    long duplicateSignals;
    long duplicateSeq;
    long duplicateAnnouncements;
    long orderViolations;
    long seqGaps;
    long recoveredOnFreshJoin;
    long recoveredFalseResumes;
    long reconnectMessages;
    long drops;
    final Map<String, Integer> errors = new HashMap<>();
    final List<String> samples = new ArrayList<>();

    long duplicated() {
      return duplicateSignals + duplicateSeq + duplicateAnnouncements;
    }

    void add(Tally t) {
      sent += t.sent;
      received += t.received;
      lost += t.lost;
      lostAnnounced += t.lostAnnounced;
      toPhantoms += t.toPhantoms;
      duplicateSignals += t.duplicateSignals;
      duplicateSeq += t.duplicateSeq;
      duplicateAnnouncements += t.duplicateAnnouncements;
      orderViolations += t.orderViolations;
      seqGaps += t.seqGaps;
      recoveredOnFreshJoin += t.recoveredOnFreshJoin;
      recoveredFalseResumes += t.recoveredFalseResumes;
      reconnectMessages += t.reconnectMessages;
      drops += t.drops;
      t.errors.forEach((k, v) -> errors.merge(k, v, Integer::sum));
      for (String s : t.samples) {
        if (samples.size() < 5) {
          samples.add(s);
        }
      }
    }

    @Override
    public String toString() {
      return "sent="
          + sent
          + " received="
          + received
          + " lost(silent)="
          + lost
          + " lost(announced)="
          + lostAnnounced
          + " toPhantoms="
          + toPhantoms
          + " dupSignals="
          + duplicateSignals
          + " dupSeq="
          + duplicateSeq
          + " dupPeerJoined="
          + duplicateAnnouncements
          + " order="
          + orderViolations
          + " seqGaps="
          + seqGaps
          + " recoveredOnFreshJoin="
          + recoveredOnFreshJoin
          + " recoveredFalseResumes="
          + recoveredFalseResumes
          + " reconnectMsgs="
          + reconnectMessages
          + " drops="
          + drops
          + " errors="
          + errors
          + (samples.isEmpty() ? "" : " samples=" + samples);
    }
  }

  private record Stream(String from, String to) {}

  static Tally check(List<FaultClient> clients) {
    Tally t = new Tally();
    Map<String, FaultClient> owner = new HashMap<>();
    Map<Stream, List<FaultClient.Received>> arrivals = new HashMap<>();
    for (FaultClient c : clients) {
      synchronized (c) {
        for (FaultClient.Welcome w : c.welcomes) {
          owner.put(w.peerId(), c);
          if (w.resumed() && !w.recovered()) {
            t.recoveredFalseResumes++;
          }
        }
        for (FaultClient.Received r : c.received) {
          arrivals.computeIfAbsent(new Stream(r.from(), r.to()), k -> new ArrayList<>()).add(r);
        }
        t.received += c.received.size();
        t.duplicateSeq += c.duplicateSeq;
        t.duplicateAnnouncements += c.duplicateAnnouncements;
        t.seqGaps += c.seqGaps;
        t.recoveredOnFreshJoin += c.recoveredOnFreshJoin;
        t.reconnectMessages += c.reconnectMessages;
        t.drops += c.dropsAt.size();
        c.errors.forEach((k, v) -> t.errors.merge(k, v, Integer::sum));
      }
    }
    Map<Stream, Set<Long>> delivered = new HashMap<>();
    arrivals.forEach(
        (stream, list) -> {
          Set<Long> seen = new HashSet<>();
          long max = 0;
          for (FaultClient.Received r : list) {
            if (!seen.add(r.n())) {
              t.duplicateSignals++;
            } else if (r.n() < max) {
              t.orderViolations++;
              sample(t, "order: n=" + r.n() + " after n=" + max + " " + stream);
            }
            max = Math.max(max, r.n());
          }
          delivered.put(stream, seen);
        });
    for (FaultClient sender : clients) {
      List<FaultClient.Sent> sent;
      synchronized (sender) {
        sent = new ArrayList<>(sender.sent);
      }
      t.sent += sent.size();
      for (FaultClient.Sent s : sent) {
        Set<Long> got = delivered.getOrDefault(new Stream(s.from(), s.to()), Set.of());
        if (got.contains(s.n())) {
          continue;
        }
        FaultClient receiver = owner.get(s.to());
        if (receiver == null) {
          // an id announced by peer-joined whose welcome never reached any client (its node died
          // mid-join; the client joined afresh): nobody held it, so nothing was lost to anyone
          t.toPhantoms++;
          continue;
        }
        if (announced(sender, s.from(), s.atNanos(), true)
            || announced(receiver, s.to(), s.atNanos(), false)) {
          t.lostAnnounced++;
        } else {
          t.lost++;
          sample(
              t,
              "lost: "
                  + sender.label
                  + " -> "
                  + (receiver == null ? s.to() : receiver.label)
                  + " n="
                  + s.n());
        }
      }
    }
    return t;
  }

  /**
   * Whether this client was told (or could tell) that messages of id {@code peerId} sent at {@code
   * at} may be missing: a later recovered:false resume, a later bad-resume (the id was given up, or
   * already was), or — for the sender — a later drop of its socket.
   */
  private static boolean announced(FaultClient c, String peerId, long at, boolean isSender) {
    synchronized (c) {
      for (FaultClient.Welcome w : c.welcomes) {
        if (w.atNanos() >= at && w.resumed() && !w.recovered()) {
          return true;
        }
      }
      String lastId = c.welcomes.isEmpty() ? null : c.welcomes.get(c.welcomes.size() - 1).peerId();
      if (!c.abandonedAt.isEmpty() && !peerId.equals(lastId)) {
        return true; // the id was given up (bad-resume): its messages are not owed
      }
      for (long a : c.abandonedAt) {
        if (a >= at) {
          return true;
        }
      }
      if (isSender) {
        for (long d : c.dropsAt) {
          if (d >= at) {
            return true;
          }
        }
      }
      return false;
    }
  }

  private static void sample(Tally t, String s) {
    if (t.samples.size() < 5) {
      t.samples.add(s);
    }
  }
}
