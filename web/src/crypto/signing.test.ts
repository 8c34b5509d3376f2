import { describe, expect, it, vi } from 'vitest';
import { fromBase64Url, toBase64Url } from './bytes';
import { linkFragment, parseLinkFragment } from './link';
import { generateRoomKey, WrongKeyError } from './keys';
import { hashPublicKey, newShareSigner, SignatureError, verifySignedManifest } from './signing';

const M = JSON.stringify({ v: 2, seq: 1, files: [] });

describe('sender-signed manifests', () => {
  it('verifies the sender’s envelope against the link’s signer hash', async () => {
    const s = await newShareSigner();
    expect(s.signerHash).toBe(await hashPublicKey(fromBase64Url(s.publicKey)));
    const env = { m: M, pub: s.publicKey, sig: await s.signManifest(M) };
    expect(await verifySignedManifest(env, s.signerHash)).toBe(M);
  });

  it('signs without WebCrypto ECDSA (the non-secure-context fallback) and still verifies', async () => {
    const spy = vi.spyOn(crypto.subtle, 'generateKey').mockRejectedValue(new Error('NotSupported'));
    try {
      const s = await newShareSigner();
      const env = { m: M, pub: s.publicKey, sig: await s.signManifest(M) };
      expect(await verifySignedManifest(env, s.signerHash)).toBe(M);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a manifest signed by another key holder (its own key pair)', async () => {
    const sender = await newShareSigner();
    const forger = await newShareSigner();
    const forged = JSON.stringify({ v: 2, seq: 9, plain: true, files: [] });
    const env = { m: forged, pub: forger.publicKey, sig: await forger.signManifest(forged) };
    await expect(verifySignedManifest(env, sender.signerHash)).rejects.toThrow(/someone else/);
    // ...also when it pastes the sender's public key next to its own signature
    const pasted = { ...env, pub: sender.publicKey };
    await expect(verifySignedManifest(pasted, sender.signerHash)).rejects.toThrow(
      /does not verify/,
    );
  });

  it('refuses an altered manifest text, signature or malformed envelope', async () => {
    const s = await newShareSigner();
    const sig = await s.signManifest(M);
    const ok = { m: M, pub: s.publicKey, sig };
    await expect(
      verifySignedManifest({ ...ok, m: M.replace('1', '2') }, s.signerHash),
    ).rejects.toThrow(SignatureError);
    const bad = fromBase64Url(sig);
    bad[10]! ^= 1;
    await expect(
      verifySignedManifest({ ...ok, sig: toBase64Url(bad) }, s.signerHash),
    ).rejects.toThrow(SignatureError);
    for (const env of [null, 'x', { m: M }, { ...ok, sig: 'AA' }, { ...ok, pub: '!!' }])
      await expect(verifySignedManifest(env, s.signerHash)).rejects.toThrow(SignatureError);
  });
});

describe('link fragment (v2)', () => {
  it('carries the content key and the signer hash', async () => {
    const key = generateRoomKey();
    const s = await newShareSigner();
    const parsed = parseLinkFragment(linkFragment(key, s.signerHash));
    expect(toBase64Url(parsed.key)).toBe(key);
    expect(parsed.signer).toBe(s.signerHash);
  });

  it('refuses old one-part links, missing and malformed parts', () => {
    const key = generateRoomKey();
    for (const f of ['', key, `${key}.`, `${key}.abc`, `${key}.${key}.${key}`, `.${key}`])
      expect(() => parseLinkFragment(f)).toThrow(WrongKeyError);
  });
});
