import { describe, expect, it } from 'vitest';
import { deriveProofKey } from '../crypto/keyproof';
import { newShareSigner } from '../crypto/signing';
import {
  isKeyProofMessage,
  KeyProofHandshake,
  type KeyProofMessage,
  MAX_ANSWERS_PER_PEER,
  type SignerCheck,
  type SignerIdentity,
} from './handshake';

const ROOM = 'room-aaaaaaaaaaaaaaaa';
const KEY = new Uint8Array(32).fill(7);
const WRONG = new Uint8Array(32).fill(8);

/** Peers wired to each other through an in-order queue, like signaling (from set by the net). */
class Net {
  readonly queue: { from: string; to: string; data: KeyProofMessage }[] = [];
  readonly peers = new Map<string, { hs: KeyProofHandshake; proven: string[] }>();
  sent: { from: string; to: string; data: KeyProofMessage }[] = [];

  add(id: string, key: Uint8Array, identity?: SignerIdentity, check?: SignerCheck) {
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
      identity ?? null,
      check ?? null,
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

  /** run() until no signature is still being made (the signer signs asynchronously) */
  async settle() {
    for (let n = 0; n < 20; n++) {
      this.run();
      await new Promise((r) => setTimeout(r, 0));
    }
    this.run();
  }
}

/** A receiver's signer check that records whom it blamed for a wrong key. */
function recorder(signerHash: string) {
  const blamed: string[] = [];
  return { blamed, check: { signerHash, onWrongKey: (id: string) => blamed.push(id) } };
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

  it('a damaged key is told apart from a stranger by the link’s signer', async () => {
    const sender = await newShareSigner();
    // the real sender, a receiver whose link's content key is damaged (signer hash intact)
    const net = new Net();
    const damaged = recorder(sender.signerHash);
    net.add('s', KEY, sender);
    net.add('r', WRONG, undefined, damaged.check).challenge('s');
    await net.settle();
    expect(damaged.blamed).toEqual(['s']);
    expect(net.sent.filter((m) => m.data.kp === 'signer').every((m) => m.from === 's')).toBe(true);

    // a stranger that signs with its own key pair, against an honest receiver with the right key
    const forger = await newShareSigner();
    const net2 = new Net();
    const honest = recorder(sender.signerHash);
    net2.add('f', WRONG, forger);
    net2.add('r', KEY, undefined, honest.check).challenge('f');
    await net2.settle();
    expect(net2.peers.get('r')!.hs.refused('f')).toBe(true);
    expect(honest.blamed).toEqual([]);

    // ...nor can it replay the real sender's signature (made for another receiver's challenge)
    const signed = net.sent.find((m) => m.data.kp === 'signer')!.data;
    const net3 = new Net();
    const victim = recorder(sender.signerHash);
    const r3 = net3.add('r', KEY, undefined, victim.check);
    r3.challenge('s');
    r3.handle('s', { kp: 'proof', n: 'A'.repeat(43), mac: 'A'.repeat(43) });
    r3.handle('s', signed);
    expect(r3.refused('s')).toBe(true);
    expect(victim.blamed).toEqual([]);

    // two key holders: the sender's signatures change nothing
    const net4 = new Net();
    const fine = recorder(sender.signerHash);
    net4.add('s', KEY, sender);
    const r4 = net4.add('r', KEY, undefined, fine.check);
    r4.challenge('s');
    await net4.settle();
    expect(r4.proven('s')).toBe(true);
    expect(fine.blamed).toEqual([]);
  });

  it('accepts only well-formed signer messages', () => {
    const n = 'A'.repeat(43);
    const pub = 'B'.repeat(87);
    const sig = 'C'.repeat(86);
    expect(isKeyProofMessage({ kp: 'signer', n, pub, sig })).toBe(true);
    expect(isKeyProofMessage({ kp: 'signer', n, pub: pub + 'B', sig })).toBe(false);
    expect(isKeyProofMessage({ kp: 'signer', n, pub, sig: sig.slice(1) })).toBe(false);
    expect(isKeyProofMessage({ kp: 'signer', n, pub, sig, x: 1 })).toBe(false);
  });
});
