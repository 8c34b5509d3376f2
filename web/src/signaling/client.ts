/**
 * The signaling WebSocket client (PROTOCOL.md v1): join, typed + validated messages, resume with
 * token + lastSeq after a drop, and on `reconnect` (or a lost node) ask the balancer again.
 * Lives in the page (not a worker) so that tests can observe its frames. Its ports (socket,
 * balancer lookup, events) are in ports.ts; what is left (~310 lines) is one connection state
 * machine — connect, join, resume, retry with back-off, relocate — around one socket.
 */
import {
  type ClientMessage,
  type PeerInfo,
  parseServerMessage,
  type RoomPlacement,
  type ServerMessage,
} from './messages';
import type { SignalingDeps, SignalingEvents, SignalingStatus, SocketLike } from './ports';
import type { SignalingProblem } from './problems';

export {
  browserSocket,
  type SignalingDeps,
  type SignalingEvents,
  type SignalingStatus,
  type SocketLike,
} from './ports';

const CONNECTING = 0;
const OPEN = 1;
const MAX_QUEUE = 256;
/** After wake(), a socket that brings no frame (pong) back within this long is replaced. */
export const WAKE_PROBE_MS = 3000;

export class SignalingClient {
  peerId: string | null = null;
  nodeId: string | null = null;
  iceServers: RTCIceServer[] = [];
  readonly peers = new Map<string, PeerInfo>();
  status: SignalingStatus = 'connecting';
  /** frames seen, for tests and the UI */
  reconnects = 0;
  /** why we are not joined, while retrying (cleared by the next welcome) */
  problem: SignalingProblem | null = null;

  private ws: SocketLike | null = null;
  private resumeToken: string | null = null;
  private lastSeq: number | null = null;
  private joined = false;
  /** the join on the current socket carried a resume token */
  private resuming = false;
  private stopped = false;
  private backoff = 0;
  private queue: ClientMessage[] = [];
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private handlers: { [K in keyof SignalingEvents]?: SignalingEvents[K][] } = {};
  private framesIn = 0;
  /** wake() calls (the page came back from the background), for tests */
  wakeups = 0;
  /** resumes answered `recovered:false` (the `lost` event), for tests and debug() */
  lostResumes = 0;

  constructor(
    readonly room: string,
    private readonly meta: unknown,
    private readonly deps: SignalingDeps,
  ) {}

  on<K extends keyof SignalingEvents>(k: K, fn: SignalingEvents[K]): this {
    const list = (this.handlers[k] ??= []) as SignalingEvents[K][];
    list.push(fn);
    return this;
  }

  private emit<K extends keyof SignalingEvents>(k: K, ...args: Parameters<SignalingEvents[K]>) {
    for (const fn of this.handlers[k] ?? []) (fn as (...a: unknown[]) => void)(...args);
  }

  /** Connects; `first` is the placement we already have (from POST /api/rooms), if any. */
  start(first?: RoomPlacement): void {
    const url = this.deps.overrideUrl ?? first?.node.url;
    if (url) this.connect(url);
    else void this.relocate();
  }

  signal(to: string, data: unknown): void {
    this.send({ type: 'signal', to, data });
  }

  broadcast(data: unknown): void {
    this.send({ type: 'broadcast', data });
  }

  /**
   * The page came back from the background (or was frozen): a dropped socket is replaced now
   * instead of after the backoff, and an open one is probed with a ping — a half-open socket that
   * brings nothing back within WAKE_PROBE_MS is replaced. Both resume with token + lastSeq.
   */
  wake(): void {
    if (this.stopped) return;
    this.wakeups++;
    const ws = this.ws;
    if (ws?.readyState === CONNECTING) return;
    if (ws?.readyState === OPEN && this.joined) {
      const seen = this.framesIn;
      ws.send(JSON.stringify({ type: 'ping', t: Date.now() }));
      setTimeout(() => {
        if (this.ws !== ws || this.framesIn !== seen || this.stopped) return;
        this.cleanup();
        void this.relocate();
      }, WAKE_PROBE_MS);
      return;
    }
    this.cleanup();
    this.backoff = 0;
    void this.relocate();
  }

  stop(): void {
    this.stopped = true;
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify({ type: 'leave' }));
    this.cleanup();
    this.setStatus('closed');
  }

  private send(m: ClientMessage): void {
    if (this.joined && this.ws?.readyState === OPEN) {
      this.ws.send(JSON.stringify(m));
    } else if (this.queue.length < MAX_QUEUE) {
      this.queue.push(m);
    }
  }

  private setStatus(s: SignalingStatus): void {
    this.status = s;
    this.emit('status', s);
  }

  private cleanup(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.joined = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
    }
  }

  private connect(url: string): void {
    this.cleanup();
    this.setStatus(this.resumeToken ? 'reconnecting' : 'connecting');
    let ws: SocketLike;
    try {
      ws = this.deps.openSocket(url);
    } catch {
      this.diagnose(url);
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.sendJoin();
    };
    ws.onmessage = (ev) => {
      this.framesIn++;
      if (typeof ev.data !== 'string') return;
      const m = parseServerMessage(ev.data);
      if (m) this.handle(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.joined = false;
      if (!opened) this.diagnose(url);
      this.scheduleRetry();
    };
    ws.onerror = () => {};
  }

  private sendJoin(): void {
    const join: ClientMessage = { type: 'join', v: 1, room: this.room };
    if (this.meta !== undefined) join.meta = this.meta;
    this.resuming = this.resumeToken !== null;
    if (this.resumeToken) {
      join.resume = this.resumeToken;
      if (this.lastSeq !== null) join.lastSeq = this.lastSeq;
    }
    this.ws?.send(JSON.stringify(join));
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.setStatus('reconnecting');
    const delay = Math.min(this.deps.maxBackoffMs ?? 4000, this.backoff === 0 ? 200 : this.backoff);
    this.backoff = Math.max(400, delay * 2);
    this.retryTimer = setTimeout(() => void this.relocate(), delay);
  }

  /** Ask the balancer where the room lives now, then (re)join there. */
  private async relocate(): Promise<void> {
    if (this.stopped) return;
    this.reconnects++;
    try {
      const p = await this.deps.locate(this.room);
      if (!this.stopped) this.connect(p.node.url);
    } catch (e) {
      if (this.deps.problems) this.report(this.deps.problems.balancer(e));
      this.scheduleRetry();
    }
  }

  /** A socket to `url` never opened: find out why (asynchronously) and tell the page. */
  private diagnose(url: string): void {
    const problems = this.deps.problems;
    if (!problems) return;
    void problems.socket(url).then(
      (p) => {
        if (!this.joined && !this.stopped) this.report(p);
      },
      () => {},
    );
  }

  private report(p: SignalingProblem | null): void {
    if (p === this.problem) return;
    this.problem = p;
    this.emit('problem', p);
  }

  private handle(m: ServerMessage): void {
    if ('seq' in m && typeof m.seq === 'number') {
      if (this.lastSeq !== null && m.seq <= this.lastSeq) return; // replayed twice
      this.lastSeq = m.seq;
    }
    switch (m.type) {
      case 'welcome': {
        this.joined = true;
        this.backoff = 0;
        this.peerId = m.peerId;
        this.nodeId = m.node;
        this.resumeToken = m.resume;
        this.iceServers = m.iceServers;
        // nothing was restored: dedup starts over from what this node sends (it replays only
        // after the lastSeq we sent, so nothing seen before comes twice)
        if (!m.recovered) this.lastSeq = null;
        const now = new Map(m.peers.map((p) => [p.id, p]));
        for (const id of [...this.peers.keys()]) {
          if (!now.has(id)) {
            this.peers.delete(id);
            this.emit('peerLeft', id);
          }
        }
        const fresh = m.peers.filter((p) => !this.peers.has(p.id));
        for (const p of m.peers) this.peers.set(p.id, p);
        this.pingTimer = setInterval(() => {
          if (this.ws?.readyState === OPEN)
            this.ws.send(JSON.stringify({ type: 'ping', t: Date.now() }));
        }, this.deps.pingIntervalMs ?? 20000);
        this.setStatus('joined');
        this.report(null);
        this.emit('welcome', m);
        for (const p of fresh) this.emit('peerJoined', p);
        const q = this.queue;
        this.queue = [];
        for (const x of q) this.send(x);
        if (this.resuming && !m.recovered) {
          this.lostResumes++;
          this.emit('lost');
        }
        break;
      }
      case 'peer-joined':
        if (m.peer.id === this.peerId) break;
        this.peers.set(m.peer.id, m.peer);
        this.emit('peerJoined', m.peer);
        break;
      case 'peer-left':
        if (this.peers.delete(m.peerId)) this.emit('peerLeft', m.peerId);
        break;
      case 'signal':
        this.emit('signal', m.from, m.data);
        break;
      case 'broadcast':
        this.emit('broadcast', m.from, m.data);
        break;
      case 'reconnect':
        // the node drains: ask the balancer again and resume elsewhere
        this.cleanup();
        this.setStatus('reconnecting');
        void this.relocate();
        break;
      case 'error':
        if (m.code === 'bad-resume') {
          // token expired: a fresh join on the same socket (we get a new peer id)
          this.resumeToken = null;
          this.lastSeq = null;
          this.sendJoin();
        } else if (m.code === 'draining') {
          this.cleanup();
          void this.relocate();
        } else {
          this.emit('error', m.code, m.message);
        }
        break;
      case 'pong':
        break;
    }
  }
}
