/** Adapters: the sender and receiver sessions as seen by the history tracker (read-only). */
import { connectionFromCandidateType, type Connection } from '../analytics/report';
import type { Mesh } from '../peer/mesh';
import type { ReceiverSession } from './receiver';
import type { SenderSession } from './sender';
import type { TransferProbe } from '../history/model';

async function meshConnection(mesh: Mesh | null): Promise<Connection | null> {
  if (!mesh) return null;
  for (const l of mesh.links.values()) {
    if (!l.connected) continue;
    try {
      const h = await l.health();
      if (h.type) return connectionFromCandidateType(h.type);
    } catch {
      /* closed meanwhile */
    }
  }
  return null;
}

export function receiverProbe(r: ReceiverSession): TransferProbe {
  const worth = () => !!r.manifest && (r.accepted || (!!r.error && r.error.code !== 'peer-gone'));
  return {
    direction: 'receive',
    room: () => r.room,
    files: () =>
      worth() && r.manifest ? r.manifest.files.map((f) => ({ name: f.path, size: f.size })) : null,
    moved: () => r.stats.bytesVerified,
    progress: () => r.dl?.totals().bytes ?? 0,
    peers: () => r.sig?.peers.size ?? 0,
    outcome: () => {
      if (r.error && r.error.code !== 'peer-gone') return 'failed';
      if (r.dl?.files.some((f) => f.accepted && f.state === 'failed')) return 'failed';
      if (r.accepted && r.allDone()) return 'completed';
      return 'active';
    },
    errors: () => r.stats.piecesFailed + (r.error ? 1 : 0),
    error: () => r.error?.code,
    connection: () => meshConnection(r.mesh),
  };
}

export function senderProbe(s: SenderSession): TransferProbe {
  const total = () => s.files.reduce((a, f) => a + f.entry.size, 0);
  const allDone = () => s.files.length > 0 && s.files.every((_, i) => s.fileProgress(i).done);
  return {
    direction: 'send',
    room: () => s.room,
    files: () =>
      s.room && s.files.length > 0
        ? s.files.map((f) => ({ name: f.entry.path, size: f.entry.size }))
        : null,
    moved: () => s.stats.bytesSent,
    progress: () => (allDone() ? total() : Math.min(total(), s.stats.bytesSent)),
    peers: () => s.sessions.size,
    outcome: () => (allDone() ? 'completed' : 'active'),
    errors: () => 0,
    error: () => undefined,
    connection: () => meshConnection(s.mesh),
  };
}
