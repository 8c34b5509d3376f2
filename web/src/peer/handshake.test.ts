import { describe, expect, it } from 'vitest';
import { deriveProofKey } from '../crypto/keyproof';
import {
  isKeyProofMessage,
  KeyProofHandshake,
  type KeyProofMessage,
  MAX_ANSWERS_PER_PEER,
} from './handshake';

const ROOM = 'room-aaaaaaaaaaaaaaaa';
const KEY = new Uint8Array(32).fill(7);
const WRONG = new Uint8Array(32).fill(8);

/** Peers wired to each other through an in-order queue, like signaling (from set by the net). */
class Net {
  readonly queue: { from: string; to: string; data: KeyProofMessage }[] = [];
  readonly peers = new Map<string, { hs: KeyProofHandshake; proven: string[] }>();
  sent: { from: string; to: string; data: KeyProofMessage }[] = [];

  add(id: string, key: Uint8Array) {
    const proven: string[] = [];
    const hs = new KeyProofHandshake(
      deriveProofKey(key),
      ROOM,
      () => id,
      (to, data) => {
        this.queue.push({ from: id, to, data });
        this.sent.push({ from: id, to, data });
      },
      (p) => proven.push(p),
    );
    this.peers.set(id, { hs, proven });
    return hs;
  }

  run(drop: (m: { from: string; to: string }) => boolean = () => false) {
    for (let n = 0; this.queue.length > 0 && n < 1000; n++) {
      const m = this.queue.shift()!;
      if (!drop(m)) this.peers.get(m.to)?.hs.handle(m.from, m.data);
    }
  }
}

describe('key-proof handshake', () => {
  it('two key holders prove each other, whoever starts, once each', () => {
    for (const start of [['a', 'b'], ['a'], ['b']]) {
      const net = new Net();
      const a = net.add('a', KEY);
      const b = net.add('b', KEY);
      for (const s of start) (s === 'a' ? a : b).challenge(s === 'a' ? 'b' : 'a');
      net.run();
      expect(a.proven('b') && b.proven('a')).toBe(true);
      expect(net.peers.get('a')!.proven).toEqual(['b']);
      expect(net.peers.get('b')!.proven).toEqual(['a']);
      expect(net.sent.length).toBeLessThanOrEqual(4);
    }
  });

  it('a peer’s proof precedes anything it sends after proving the other', () => {
    const net = new Net();
    const a = net.add('a', KEY);
    const b = net.add('b', KEY);
    const order: string[] = [];
    // record, at the moment a proves b, whether a's proof to b went out already
    const aProven = net.peers.get('a')!.proven;
    aProven.push = (...x: string[]) => {
      order.push(
        net.sent.some((m) => m.from === 'a' && m.data.kp === 'proof') ? 'after' : 'before',
      );
      return Array.prototype.push.apply(aProven, x);
    };
    b.challenge('a');
    net.run();
    expect(a.proven('b')).toBe(true);
    expect(order).toEqual(['after']);
  });

  it('a peer without the key is refused, never proven, and costs a bounded number of answers', () => {
    const net = new Net();
    const honest = net.add('h', KEY);
    const stranger = net.add('s', WRONG);
    honest.challenge('s');
    stranger.challenge('h');
    net.run();
    expect(honest.proven('s')).toBe(false);
    expect(stranger.proven('h')).toBe(false);
    expect(honest.refused('s') || stranger.refused('h')).toBe(true);
    expect(net.peers.get('h')!.proven).toEqual([]);
    // a flood of challenges and made-up proofs from a raw client
    const raw = new Net();
    const h2 = raw.add('h', KEY);
    let answers = 0;
    const n = 'A'.repeat(43);
    for (let i = 0; i < 100; i++) h2.handle('x', { kp: 'hello', n: `${i}`.padEnd(43, 'A') });
    for (let i = 0; i < 100; i++) h2.handle('x', { kp: 'proof', n, mac: n });
    answers = raw.sent.filter((m) => m.data.kp === 'proof').length;
    expect(answers).toBe(MAX_ANSWERS_PER_PEER);
    expect(h2.proven('x')).toBe(false);
    expect(h2.refused('x')).toBe(true);
    expect(h2.stats.refused).toBe(1);
  });

  it('a proof cannot be reflected to its maker or replayed to another peer', () => {
    const net = new Net();
    const a = net.add('a', KEY);
    net.add('b', KEY);
    net.add('c', KEY);
    a.challenge('b');
    net.run();
    const aProof = net.sent.find((m) => m.from === 'a' && m.data.kp === 'proof');
    const bProof = net.sent.find((m) => m.from === 'b' && m.data.kp === 'proof')!;
    expect(aProof).toBeDefined();
    // x (no key) relays b's proof to c, and a's proof back to a, as its own
    const evilC = new Net();
    const c2 = evilC.add('c', KEY);
    c2.challenge('x');
    c2.handle('x', bProof.data);
    expect(c2.proven('x')).toBe(false);
    const a2 = new Net().add('a', KEY);
    a2.challenge('x');
    a2.handle('x', aProof!.data);
    expect(a2.proven('x')).toBe(false);
  });

  it('a lost hello is recovered by re-sending the same challenge; a forgotten peer starts over', () => {
    const net = new Net();
    const a = net.add('a', KEY);
    const b = net.add('b', KEY);
    a.challenge('b');
    net.run(() => true); // a's hello is lost
    expect(b.proven('a')).toBe(false);
    a.rechallengeAll();
    net.run();
    expect(a.proven('b') && b.proven('a')).toBe(true);
    a.forget('b');
    expect(a.proven('b')).toBe(false);
  });

  it('accepts only well-formed messages', () => {
    const n = 'A'.repeat(43);
    expect(isKeyProofMessage({ kp: 'hello', n })).toBe(true);
    expect(isKeyProofMessage({ kp: 'proof', n, mac: n })).toBe(true);
    expect(isKeyProofMessage({ kp: 'hello', n: n + 'A' })).toBe(false);
    expect(isKeyProofMessage({ kp: 'proof', n, mac: 'x' })).toBe(false);
    expect(isKeyProofMessage({ kp: 'hello', n, extra: 'x'.repeat(1e5) })).toBe(false);
    expect(isKeyProofMessage({ desc: { type: 'offer', sdp: '' } })).toBe(false);
    expect(isKeyProofMessage(null)).toBe(false);
  });
});
