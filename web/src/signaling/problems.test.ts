import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { SignalingClient, type SocketLike } from './client';
import {
  balancerProblem,
  healthUrlOf,
  insecureProblem,
  type SignalingProblem,
  socketProblem,
} from './problems';

const LAN_PAGE = {
  protocol: 'http:',
  hostname: '192.168.1.20',
  origin: 'http://192.168.1.20:8080',
};
const LOCAL_PAGE = { protocol: 'http:', hostname: 'localhost', origin: 'http://localhost:8080' };
const TLS_PAGE = { protocol: 'https:', hostname: 'p2p.example', origin: 'https://p2p.example' };

describe('problem messages', () => {
  it('a node that answers HTTP but refused the socket: the Origin, with what to do', () => {
    const p = socketProblem('ws://192.168.1.20:8081/ws', true, LAN_PAGE);
    expect(p.code).toBe('signaling-refused');
    expect(p.message).toContain('192.168.1.20:8081');
    expect(p.message).toContain('http://192.168.1.20:8080');
    expect(p.message).toContain('ALLOWED_ORIGINS');
  });

  it('a localhost node seen from another device: PUBLIC_URL must be reachable', () => {
    const p = socketProblem('ws://localhost:8081/ws', false, LAN_PAGE);
    expect(p.code).toBe('signaling-unreachable');
    expect(p.message).toContain('PUBLIC_URL');
    expect(p.message).toContain('means this device');
  });

  it('an unreachable node otherwise: network and firewall, with the port', () => {
    const p = socketProblem('ws://localhost:8081/ws', false, LOCAL_PAGE);
    expect(p.code).toBe('signaling-unreachable');
    expect(p.message).toContain('port 8081');
    expect(socketProblem('wss://n.example/ws', false, TLS_PAGE).message).toContain('port 443');
  });

  it('ws:// from an https page is refused by the browser before any probe', () => {
    expect(insecureProblem('ws://n.example/ws', TLS_PAGE)?.code).toBe('signaling-insecure');
    expect(insecureProblem('wss://n.example/ws', TLS_PAGE)).toBeNull();
    expect(insecureProblem('ws://n.example/ws', LOCAL_PAGE)).toBeNull();
    expect(socketProblem('ws://n.example/ws', true, TLS_PAGE).code).toBe('signaling-insecure');
  });

  it('balancer failures: no node (503), rate limit (429), other answers, no answer', () => {
    expect(balancerProblem(new ApiError(503, 'no-live-node', 'x'), LAN_PAGE).code).toBe(
      'signaling-no-node',
    );
    expect(balancerProblem(new ApiError(429, 'rate-limited', 'x'), LAN_PAGE).code).toBe(
      'signaling-rate-limited',
    );
    const other = balancerProblem(new ApiError(500, 'internal', 'boom'), LAN_PAGE);
    expect(other.code).toBe('signaling-server-error');
    expect(other.message).toContain('500');
    const gone = balancerProblem(new TypeError('Failed to fetch'), LAN_PAGE, 'Try later.');
    expect(gone.code).toBe('signaling-server-unreachable');
    expect(gone.message).toContain('http://192.168.1.20:8080');
    expect(gone.message).toContain('Try later.');
  });

  it('health URL of a node', () => {
    expect(healthUrlOf('ws://h:8081/ws')).toBe('http://h:8081/healthz');
    expect(healthUrlOf('wss://[fd00::2]:9/ws')).toBe('https://[fd00::2]:9/healthz');
    expect(healthUrlOf('http://h/ws')).toBeNull();
    expect(healthUrlOf('nonsense')).toBeNull();
  });
});

class DeadSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send() {}
  close() {
    this.readyState = 3;
  }
}

const ROOM = 'abcdefghijklmnopqrstuv';
const until = async (cond: () => boolean) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 2000) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('SignalingClient problems', () => {
  it('reports a socket that never opened and a failed balancer lookup, clears on welcome', async () => {
    const sockets: DeadSocket[] = [];
    let lookups = 0;
    const seen: (SignalingProblem | null)[] = [];
    const refused: SignalingProblem = { code: 'signaling-refused', message: 'refused' };
    const c = new SignalingClient(ROOM, undefined, {
      locate: async () => {
        lookups++;
        if (lookups === 1) throw new ApiError(503, 'no-live-node', 'none');
        return { room: ROOM, node: { id: 'n', url: 'ws://n/ws' }, epoch: 1 };
      },
      openSocket: (url) => {
        const s = new DeadSocket(url);
        sockets.push(s);
        return s;
      },
      maxBackoffMs: 5,
      problems: {
        socket: async (url) => ({ ...refused, message: 'refused ' + url }),
        balancer: (e) => ({
          code: 'signaling-no-node',
          message: e instanceof ApiError ? e.code : 'x',
        }),
      },
    });
    c.on('problem', (p) => seen.push(p));
    c.start({ room: ROOM, node: { id: 'n', url: 'ws://first/ws' }, epoch: 1 });
    sockets[0]!.onclose?.({}); // refused before it opened
    await until(() => seen.length >= 1);
    expect(seen[0]).toEqual({ code: 'signaling-refused', message: 'refused ws://first/ws' });
    await until(() => seen.length >= 2); // the first lookup answers 503
    expect(seen[1]).toEqual({ code: 'signaling-no-node', message: 'no-live-node' });
    await until(() => sockets.length >= 2);
    const s = sockets[1]!;
    s.readyState = 1;
    s.onopen?.({});
    s.onmessage?.({
      data: JSON.stringify({
        type: 'welcome',
        v: 1,
        peerId: 'me',
        room: ROOM,
        node: 'n',
        peers: [],
        resume: 't',
        recovered: false,
        iceServers: [],
      }),
    });
    expect(seen.at(-1)).toBeNull();
    expect(c.problem).toBeNull();
    c.stop();
  });

  it('a socket that opened and then dropped is a drop, not a problem', () => {
    const sockets: DeadSocket[] = [];
    let diagnosed = 0;
    const c = new SignalingClient(ROOM, undefined, {
      locate: () => new Promise(() => {}), // never answers: the test looks only at the drop
      openSocket: (url) => {
        const s = new DeadSocket(url);
        sockets.push(s);
        return s;
      },
      problems: {
        socket: async () => {
          diagnosed++; // called synchronously from the close handler when it diagnoses
          return { code: 'signaling-unreachable', message: 'x' };
        },
        balancer: () => ({ code: 'signaling-no-node', message: 'x' }),
      },
    });
    c.start({ room: ROOM, node: { id: 'n', url: 'ws://n/ws' }, epoch: 1 });
    sockets[0]!.readyState = 1;
    sockets[0]!.onopen?.({});
    sockets[0]!.onclose?.({});
    expect(diagnosed).toBe(0);
    expect(c.problem).toBeNull();
    sockets.length = 0;
    c.stop();
  });
});
