import { describe, expect, it, vi } from 'vitest';
import { SignalingClient, type SocketLike, WAKE_PROBE_MS } from './client';
import { parsePlacement, parseServerMessage } from './messages';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(d: string) {
    this.sent.push(JSON.parse(d) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  recv(m: object) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

const ROOM = 'abcdefghijklmnopqrstuv';
const welcome = (peerId: string, peers: object[] = [], node = 'node-1') => ({
  type: 'welcome',
  v: 1,
  peerId,
  room: ROOM,
  node,
  peers,
  resume: 'tok-' + peerId + '-' + Math.random(),
  recovered: true,
  iceServers: [{ urls: 'stun:example' }],
});

function setup() {
  const sockets: FakeSocket[] = [];
  let located = 0;
  const c = new SignalingClient(
    ROOM,
    { role: 'r' },
    {
      locate: async () => {
        located++;
        return { room: ROOM, node: { id: 'node-2', url: 'ws://two/ws' }, epoch: 2 };
      },
      openSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      maxBackoffMs: 5,
    },
  );
  return { c, sockets, located: () => located };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('messages', () => {
  it('validates server messages', () => {
    expect(parseServerMessage('{"type":"peer-left","peerId":"x","seq":3}')).toEqual({
      type: 'peer-left',
      peerId: 'x',
      seq: 3,
    });
    expect(parseServerMessage('{"type":"peer-left"}')).toBeNull();
    expect(parseServerMessage('{"type":"signal","from":"a","data":{"x":1},"seq":"1"}')).toBeNull();
    expect(parseServerMessage('{"type":"unknown"}')).toBeNull();
    expect(parseServerMessage('[')).toBeNull();
    expect(
      parsePlacement({ room: ROOM, node: { id: 'n', url: 'ws://x' }, epoch: 1 }),
    ).not.toBeNull();
    expect(parsePlacement({ room: ROOM })).toBeNull();
  });
});

describe('SignalingClient', () => {
  it('joins, tracks peers, relays signals and dedups replayed seqs', async () => {
    const { c, sockets } = setup();
    const signals: unknown[] = [];
    const left: string[] = [];
    c.on('signal', (_f, d) => signals.push(d)).on('peerLeft', (id) => left.push(id));
    c.signal('p2', { early: true }); // queued until welcome
    c.start({ room: ROOM, node: { id: 'node-1', url: 'ws://one/ws' }, epoch: 1 });
    const s = sockets[0]!;
    expect(s.url).toBe('ws://one/ws');
    s.open();
    expect(s.sent[0]).toEqual({ type: 'join', v: 1, room: ROOM, meta: { role: 'r' } });
    s.recv(welcome('me', [{ id: 'p2' }]));
    expect(c.peerId).toBe('me');
    expect(c.nodeId).toBe('node-1');
    expect([...c.peers.keys()]).toEqual(['p2']);
    expect(s.sent[1]).toEqual({ type: 'signal', to: 'p2', data: { early: true } });
    s.recv({ type: 'signal', from: 'p2', data: 1, seq: 1 });
    s.recv({ type: 'signal', from: 'p2', data: 1, seq: 1 });
    s.recv({ type: 'signal', from: 'p2', data: 2, seq: 2 });
    expect(signals).toEqual([1, 2]);
    s.recv({ type: 'peer-left', peerId: 'p2', seq: 3 });
    expect(left).toEqual(['p2']);
    expect(c.peers.size).toBe(0);
  });

  it('after a drop asks the balancer again and resumes with token and lastSeq', async () => {
    const { c, sockets, located } = setup();
    c.start({ room: ROOM, node: { id: 'node-1', url: 'ws://one/ws' }, epoch: 1 });
    sockets[0]!.open();
    const w = welcome('me');
    sockets[0]!.recv(w);
    sockets[0]!.recv({ type: 'peer-joined', peer: { id: 'p9' }, seq: 4 });
    sockets[0]!.drop();
    await tick();
    expect(located()).toBe(1);
    const s2 = sockets[1]!;
    expect(s2.url).toBe('ws://two/ws');
    s2.open();
    expect(s2.sent[0]).toMatchObject({ type: 'join', resume: w.resume, lastSeq: 4 });
    s2.recv(welcome('me', [{ id: 'p9' }], 'node-2'));
    expect(c.nodeId).toBe('node-2');
    expect(c.status).toBe('joined');
  });

  it('wake(): a silent (half-open) socket is replaced and resumed; a live one is kept', async () => {
    vi.useFakeTimers();
    try {
      const { c, sockets, located } = setup();
      c.start({ room: ROOM, node: { id: 'node-1', url: 'ws://one/ws' }, epoch: 1 });
      sockets[0]!.open();
      const w = welcome('me');
      sockets[0]!.recv(w);
      c.wake();
      expect(sockets[0]!.sent.at(-1)).toMatchObject({ type: 'ping' });
      sockets[0]!.recv({ type: 'pong', t: 1 }); // alive
      await vi.advanceTimersByTimeAsync(WAKE_PROBE_MS + 1);
      expect(sockets).toHaveLength(1);
      c.wake(); // now nothing comes back: frozen page, socket dead on the server side
      await vi.advanceTimersByTimeAsync(WAKE_PROBE_MS + 1);
      expect(located()).toBe(1);
      sockets[1]!.open();
      expect(sockets[1]!.sent[0]).toMatchObject({ type: 'join', resume: w.resume });
    } finally {
      vi.useRealTimers();
    }
  });

  it('on reconnect (draining) relocates; bad-resume falls back to a fresh join', async () => {
    const { c, sockets, located } = setup();
    c.start({ room: ROOM, node: { id: 'node-1', url: 'ws://one/ws' }, epoch: 1 });
    sockets[0]!.open();
    sockets[0]!.recv(welcome('me'));
    sockets[0]!.recv({ type: 'reconnect', reason: 'draining' });
    await tick();
    expect(located()).toBe(1);
    const s2 = sockets[1]!;
    s2.open();
    expect(s2.sent[0]).toHaveProperty('resume');
    s2.recv({ type: 'error', code: 'bad-resume', message: 'expired' });
    expect(s2.sent[1]).toEqual({ type: 'join', v: 1, room: ROOM, meta: { role: 'r' } });
    s2.recv(welcome('me2'));
    expect(c.peerId).toBe('me2');
  });

  it('a resume answered recovered:false emits lost (once); a fresh join, a recovered resume and a fresh join after bad-resume do not', async () => {
    const { c, sockets } = setup();
    let lost = 0;
    c.on('lost', () => lost++);
    c.start({ room: ROOM, node: { id: 'node-1', url: 'ws://one/ws' }, epoch: 1 });
    sockets[0]!.open();
    const fresh = { ...welcome('me'), recovered: false }; // a fresh join: nothing to restore
    sockets[0]!.recv(fresh);
    sockets[0]!.recv({ type: 'signal', from: 'p2', data: 1, seq: 7 });
    expect(lost).toBe(0);
    // resumed, nothing missing
    sockets[0]!.drop();
    await tick();
    sockets[1]!.open();
    expect(sockets[1]!.sent[0]).toMatchObject({ resume: fresh.resume, lastSeq: 7 });
    const back = welcome('me', [{ id: 'p2' }], 'node-2');
    sockets[1]!.recv(back);
    expect(lost).toBe(0);
    // resumed, but the node that held its messages died: recovered:false
    sockets[1]!.drop();
    await tick();
    sockets[2]!.open();
    expect(sockets[2]!.sent[0]).toMatchObject({ resume: back.resume, lastSeq: 7 });
    sockets[2]!.recv({ ...welcome('me', [{ id: 'p2' }], 'node-2'), recovered: false });
    expect(lost).toBe(1);
    expect(c.lostResumes).toBe(1);
    // the counter of the new node is taken as it comes (no old lastSeq drops it)
    const signals: unknown[] = [];
    c.on('signal', (_f, d) => signals.push(d));
    sockets[2]!.recv({ type: 'signal', from: 'p2', data: 'after', seq: 3 });
    expect(signals).toEqual(['after']);
    // a token that expired: the fresh join after bad-resume is not a lost session either
    sockets[2]!.drop();
    await tick();
    sockets[3]!.open();
    sockets[3]!.recv({ type: 'error', code: 'bad-resume', message: 'expired' });
    expect(sockets[3]!.sent[1]).not.toHaveProperty('resume');
    sockets[3]!.recv({ ...welcome('me2'), recovered: false });
    expect(lost).toBe(1);
  });

  it('honours the ?node= override for the first connection only', () => {
    const sockets: FakeSocket[] = [];
    const c = new SignalingClient(ROOM, undefined, {
      locate: async () => ({ room: ROOM, node: { id: 'a', url: 'ws://a/ws' }, epoch: 1 }),
      openSocket: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      overrideUrl: 'ws://debug/ws',
    });
    c.start();
    expect(sockets[0]!.url).toBe('ws://debug/ws');
  });
});
