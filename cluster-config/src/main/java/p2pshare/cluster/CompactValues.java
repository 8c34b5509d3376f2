package p2pshare.cluster;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Compact serializers for every value and entry processor the project puts into Hazelcast, so none
 * travels Java-serialized. Each type has a fixed name and named fields: a later version adds fields
 * (readers check {@link CompactReader#getFieldKind}) and members of a mixed cluster still read each
 * other's values during a rolling upgrade. {@link #register} is applied to every member's config.
 */
public final class CompactValues {
  private CompactValues() {}

  static final CompactSerializer<RoomMembers.Member> MEMBER =
      of(
          "p2p.RoomMember",
          RoomMembers.Member.class,
          (w, m) -> {
            w.writeString("nodeId", m.nodeId());
            w.writeString("meta", m.meta());
            w.writeInt64("since", m.since());
          },
          r ->
              new RoomMembers.Member(
                  r.readString("nodeId"), r.readString("meta"), r.readInt64("since")));

  static final CompactSerializer<RoomMembers.Members> MEMBERS =
      of(
          "p2p.RoomMembers",
          RoomMembers.Members.class,
          (w, m) -> {
            w.writeInt64("version", m.version());
            w.writeArrayOfString("peerIds", m.keySet().toArray(String[]::new));
            w.writeArrayOfCompact("members", m.values().toArray(RoomMembers.Member[]::new));
          },
          r -> {
            String[] ids = r.readArrayOfString("peerIds");
            RoomMembers.Member[] members =
                r.readArrayOfCompact("members", RoomMembers.Member.class);
            RoomMembers.Members out = new RoomMembers.Members();
            for (int i = 0; i < ids.length; i++) {
              out.put(ids[i], members[i]);
            }
            out.version(r.readInt64("version"));
            return out;
          });

  static final CompactSerializer<RoomMembers.JoinResult> JOIN_RESULT =
      of(
          "p2p.RoomJoinResult",
          RoomMembers.JoinResult.class,
          (w, j) -> {
            w.writeBoolean("full", j.full());
            w.writeBoolean("wasMember", j.wasMember());
            w.writeCompact("others", j.others());
            w.writeInt64("version", j.version());
          },
          r ->
              new RoomMembers.JoinResult(
                  r.readBoolean("full"),
                  r.readBoolean("wasMember"),
                  r.readCompact("others"),
                  r.readInt64("version")));

  static final CompactSerializer<RoomMembers.LeaveResult> LEAVE_RESULT =
      of(
          "p2p.RoomLeaveResult",
          RoomMembers.LeaveResult.class,
          (w, l) -> {
            w.writeCompact("remaining", l.remaining());
            w.writeInt64("version", l.version());
          },
          r -> new RoomMembers.LeaveResult(r.readCompact("remaining"), r.readInt64("version")));

  static final CompactSerializer<RoomMembers.DropResult> DROP_RESULT =
      of(
          "p2p.RoomDropResult",
          RoomMembers.DropResult.class,
          (w, d) -> {
            w.writeArrayOfString("dropped", d.dropped().toArray(String[]::new));
            w.writeInt64("version", d.version());
          },
          r ->
              new RoomMembers.DropResult(
                  new ArrayList<>(Arrays.asList(r.readArrayOfString("dropped"))),
                  r.readInt64("version")));

  static final CompactSerializer<RoomMembers.Join> JOIN =
      of(
          "p2p.RoomJoin",
          RoomMembers.Join.class,
          (w, j) -> {
            w.writeString("peerId", j.peerId());
            w.writeCompact("member", j.member());
            w.writeInt32("maxPeers", j.maxPeers());
          },
          r ->
              new RoomMembers.Join(
                  r.readString("peerId"), r.readCompact("member"), r.readInt32("maxPeers")));

  static final CompactSerializer<RoomMembers.Leave> LEAVE =
      of(
          "p2p.RoomLeave",
          RoomMembers.Leave.class,
          (w, l) -> {
            w.writeString("peerId", l.peerId());
            w.writeString("ownerNode", l.ownerNode());
          },
          r -> new RoomMembers.Leave(r.readString("peerId"), r.readString("ownerNode")));

  static final CompactSerializer<RoomMembers.DropNode> DROP_NODE =
      of(
          "p2p.RoomDropNode",
          RoomMembers.DropNode.class,
          (w, d) -> w.writeString("nodeId", d.nodeId()),
          r -> new RoomMembers.DropNode(r.readString("nodeId")));

  static final CompactSerializer<PeerOwnership.RemoveIfOwner> REMOVE_IF_OWNER =
      of(
          "p2p.PeerRemoveIfOwner",
          PeerOwnership.RemoveIfOwner.class,
          (w, p) -> w.writeString("nodeId", p.nodeId()),
          r -> new PeerOwnership.RemoveIfOwner(r.readString("nodeId")));

  static final CompactSerializer<PeerOwnership.ClaimIfOwner> CLAIM_IF_OWNER =
      of(
          "p2p.PeerClaimIfOwner",
          PeerOwnership.ClaimIfOwner.class,
          (w, p) -> w.writeString("nodeId", p.nodeId()),
          r -> new PeerOwnership.ClaimIfOwner(r.readString("nodeId")));

  static final CompactSerializer<DeadNodeJanitor.MarkOrphan> MARK_ORPHAN =
      of(
          "p2p.PeerMarkOrphan",
          DeadNodeJanitor.MarkOrphan.class,
          (w, m) -> {
            w.writeString("deadNodeId", m.deadNodeId());
            w.writeInt64("until", m.until());
          },
          r -> new DeadNodeJanitor.MarkOrphan(r.readString("deadNodeId"), r.readInt64("until")));

  static final CompactSerializer<DeadNodeJanitor.ExpireOrphan> EXPIRE_ORPHAN =
      of(
          "p2p.PeerExpireOrphan",
          DeadNodeJanitor.ExpireOrphan.class,
          (w, e) -> w.writeInt64("now", e.now()),
          r -> new DeadNodeJanitor.ExpireOrphan(r.readInt64("now")));

  /** Every serializer, one per class the project stores in or sends through Hazelcast. */
  static final List<CompactSerializer<?>> ALL =
      List.of(
          MEMBER,
          MEMBERS,
          JOIN_RESULT,
          LEAVE_RESULT,
          DROP_RESULT,
          JOIN,
          LEAVE,
          DROP_NODE,
          REMOVE_IF_OWNER,
          CLAIM_IF_OWNER,
          MARK_ORPHAN,
          EXPIRE_ORPHAN);

  /** Registers every serializer on a member's serialization config. */
  public static void register(SerializationConfig config) {
    ALL.forEach(s -> config.getCompactSerializationConfig().addSerializer(s));
  }

  private static <T> CompactSerializer<T> of(
      String typeName,
      Class<T> type,
      BiConsumer<CompactWriter, T> write,
      Function<CompactReader, T> read) {
    return new CompactSerializer<>() {
      @Override
      public T read(CompactReader reader) {
        return read.apply(reader);
      }

      @Override
      public void write(CompactWriter writer, T value) {
        write.accept(writer, value);
      }

      @Override
      public String getTypeName() {
        return typeName;
      }

      @Override
      public Class<T> getCompactClass() {
        return type;
      }
    };
  }
}
