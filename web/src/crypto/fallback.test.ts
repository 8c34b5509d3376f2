import { describe, expect, it } from 'vitest';
import { fallbackSubtle, installSubtleFallback } from './fallback';

const real = globalThis.crypto.subtle;
const js = fallbackSubtle as unknown as SubtleCrypto;
const enc = (s: string) => new TextEncoder().encode(s);
/** n pseudo-random bytes (getRandomValues takes at most 64 KiB at once) */
const noise = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);

async function fileKey(subtle: SubtleCrypto, room: Uint8Array<ArrayBuffer>, salt: string) {
  const base = await subtle.importKey('raw', room, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc(salt), info: enc('p2p-share/v1/file') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

describe('WebCrypto fallback (pages that are not a secure context)', () => {
  const room = crypto.getRandomValues(new Uint8Array(32));
  const plain = noise(70_001);
  const gcm = (iv: Uint8Array, aad: Uint8Array) => ({ name: 'AES-GCM', iv, additionalData: aad });
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = enc('file-id\u0000\u0000\u0000\u0001');

  it('HKDF + AES-GCM give the same ciphertext as WebCrypto, and each opens the other', async () => {
    const [kr, kj] = [await fileKey(real, room, 'f1'), await fileKey(js, room, 'f1')];
    const ctReal = new Uint8Array(await real.encrypt(gcm(iv, aad), kr, plain));
    const ctJs = new Uint8Array(await js.encrypt(gcm(iv, aad), kj, plain));
    expect(ctJs).toEqual(ctReal);
    expect(new Uint8Array(await js.decrypt(gcm(iv, aad), kj, ctReal))).toEqual(plain);
    expect(new Uint8Array(await real.decrypt(gcm(iv, aad), kr, ctJs))).toEqual(plain);
  });

  it('another salt is another key; a flipped bit or other AAD fails authentication', async () => {
    const k1 = await fileKey(js, room, 'f1');
    const k2 = await fileKey(js, room, 'f2');
    const ct = new Uint8Array(await js.encrypt(gcm(iv, aad), k1, plain));
    await expect(js.decrypt(gcm(iv, aad), k2, ct)).rejects.toMatchObject({
      name: 'OperationError',
    });
    const bad = ct.slice();
    bad[5]! ^= 1;
    await expect(js.decrypt(gcm(iv, aad), k1, bad)).rejects.toMatchObject({
      name: 'OperationError',
    });
    await expect(js.decrypt(gcm(iv, enc('other')), k1, ct)).rejects.toMatchObject({
      name: 'OperationError',
    });
  });

  it('SHA-256 matches WebCrypto, for views into larger buffers too', async () => {
    const big = noise(100_000);
    const view = big.subarray(123, 99_000);
    expect(new Uint8Array(await js.digest('SHA-256', view))).toEqual(
      new Uint8Array(await real.digest('SHA-256', view)),
    );
  });

  it('anything it does not implement is refused, never answered wrongly', async () => {
    await expect(js.digest('SHA-1', plain)).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(
      js.sign({ name: 'ECDSA', hash: 'SHA-256' }, {} as CryptoKey, plain),
    ).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(js.importKey('jwk', {} as JsonWebKey, 'HKDF', false, [])).rejects.toMatchObject({
      name: 'NotSupportedError',
    });
  });

  it('is installed only where crypto.subtle is missing', () => {
    expect(installSubtleFallback({ crypto: globalThis.crypto })).toBe(false);
    expect(globalThis.crypto.subtle).toBe(real);
    const insecure = { crypto: { getRandomValues: crypto.getRandomValues.bind(crypto) } as Crypto };
    expect(installSubtleFallback(insecure)).toBe(true);
    expect(insecure.crypto.subtle).toBe(fallbackSubtle);
  });
});
