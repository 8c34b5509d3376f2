import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from './bytes';
import { deriveProofKey, equalBytes, newProofNonce, proofMac, verifyProof } from './keyproof';

const KEY = new Uint8Array(Array.from({ length: 32 }, (_, i) => i));
const input = {
  room: 'room-aaaaaaaaaaaaaaaa',
  prover: 'peerA',
  verifier: 'peerB',
  challenge: new Uint8Array(32).fill(1),
  nonce: new Uint8Array(32).fill(2),
};

const lp = (b: Uint8Array) => {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, b.length);
  return concatBytes(n, b);
};

describe('key proof', () => {
  it('is HKDF-SHA-256 with its own label, then HMAC over room, both ids and both nonces', () => {
    const pk = deriveProofKey(KEY);
    const want = new Uint8Array(
      hkdfSync('sha256', KEY, utf8('keyproof'), utf8('p2p-share/v1/keyproof'), 32),
    );
    expect(pk).toEqual(want);
    const msg = concatBytes(
      utf8('p2p-share key proof v1'),
      lp(utf8(input.room)),
      lp(utf8(input.prover)),
      lp(utf8(input.verifier)),
      lp(input.challenge),
      lp(input.nonce),
    );
    const mac = new Uint8Array(createHmac('sha256', want).update(msg).digest());
    expect(proofMac(pk, input)).toEqual(mac);
    expect(verifyProof(pk, input, mac)).toBe(true);
  });

  it('differs from every other HKDF use of the content key', () => {
    for (const [salt, info] of [
      ['manifest', 'p2p-share/v1/manifest'],
      ['', 'p2p-share/v1/file'],
    ] as const) {
      const other = new Uint8Array(hkdfSync('sha256', KEY, utf8(salt), utf8(info), 32));
      expect(equalBytes(deriveProofKey(KEY), other)).toBe(false);
    }
  });

  it('fails for another key, room, direction, peer or nonce', () => {
    const pk = deriveProofKey(KEY);
    const mac = proofMac(pk, input);
    const other = new Uint8Array(32).fill(9);
    expect(verifyProof(deriveProofKey(other), input, mac)).toBe(false);
    expect(verifyProof(pk, { ...input, room: 'room-bbbbbbbbbbbbbbbb' }, mac)).toBe(false);
    expect(verifyProof(pk, { ...input, prover: 'peerB', verifier: 'peerA' }, mac)).toBe(false);
    expect(verifyProof(pk, { ...input, prover: 'peerC' }, mac)).toBe(false);
    expect(verifyProof(pk, { ...input, challenge: other }, mac)).toBe(false);
    expect(verifyProof(pk, { ...input, nonce: other }, mac)).toBe(false);
    // ids are length-prefixed: moving a character from one id to the next changes the proof
    expect(verifyProof(pk, { ...input, prover: 'peerAp', verifier: 'eerB' }, mac)).toBe(false);
  });

  it('nonces are fresh 32-byte values; equalBytes compares all bytes', () => {
    const a = newProofNonce();
    expect(a).toHaveLength(32);
    expect(equalBytes(a, newProofNonce())).toBe(false);
    expect(equalBytes(a, a.slice())).toBe(true);
    expect(equalBytes(a, a.slice(1))).toBe(false);
  });
});
