/**
 * WebCrypto for pages that are not a secure context. Browsers expose `crypto.subtle` only on
 * https:// and localhost, so a phone that opens the app at http://<LAN address>:8080 (the README's
 * local run) would have no encryption, no hashing and no app. There, and only there, this installs
 * the subset of SubtleCrypto the client uses, implemented with the audited noble libraries:
 * importKey('raw', HKDF | AES-GCM), deriveKey(HKDF-SHA-256 → AES-GCM-256), encrypt / decrypt
 * (AES-GCM, 128-bit tag), digest('SHA-256'). Same algorithms, same bytes on the wire; only slower
 * (pure JavaScript: see web/README.md "Local network"). Anything else rejects with
 * NotSupportedError, so a new WebCrypto use shows up as a clear failure, not a wrong result.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** A key of the fallback: the raw bytes, kept inside this module's objects. */
interface FallbackKey {
  readonly type: 'secret';
  readonly extractable: false;
  readonly algorithm: { name: string; length?: number };
  readonly usages: string[];
  readonly raw: Uint8Array;
}

type Alg = string | { name: string; [k: string]: unknown };

const nameOf = (a: Alg) => (typeof a === 'string' ? a : a.name).toUpperCase();

function bytes(d: unknown): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  throw new TypeError('expected a BufferSource');
}

/** A fresh ArrayBuffer holding exactly `u` (WebCrypto answers ArrayBuffers). */
function out(u: Uint8Array): ArrayBuffer {
  return u.byteOffset === 0 &&
    u.byteLength === u.buffer.byteLength &&
    u.buffer instanceof ArrayBuffer
    ? u.buffer
    : (u.slice().buffer as ArrayBuffer);
}

function unsupported(what: string): Promise<never> {
  return Promise.reject(
    new DOMException(
      `${what} is not available on this page (not a secure context)`,
      'NotSupportedError',
    ),
  );
}

function key(k: unknown, alg: string): FallbackKey {
  const f = k as FallbackKey;
  if (!f || !(f.raw instanceof Uint8Array) || f.algorithm?.name !== alg)
    throw new DOMException(`not a ${alg} key`, 'InvalidAccessError');
  return f;
}

function makeKey(
  raw: Uint8Array,
  algorithm: FallbackKey['algorithm'],
  usages: string[],
): FallbackKey {
  return Object.freeze({ type: 'secret', extractable: false, algorithm, usages, raw: raw.slice() });
}

function gcmParams(p: Alg): { iv: Uint8Array; aad?: Uint8Array } {
  if (typeof p === 'string' || nameOf(p) !== 'AES-GCM')
    throw new DOMException('AES-GCM only', 'NotSupportedError');
  const tag = p.tagLength;
  if (tag !== undefined && tag !== 128)
    throw new DOMException('tagLength 128 only', 'NotSupportedError');
  return {
    iv: bytes(p.iv),
    aad: p.additionalData === undefined ? undefined : bytes(p.additionalData),
  };
}

export const fallbackSubtle = {
  async importKey(format: string, data: unknown, alg: Alg, _ext: boolean, usages: string[]) {
    const name = nameOf(alg);
    if (format !== 'raw' || (name !== 'HKDF' && name !== 'AES-GCM'))
      return unsupported(`importKey ${format} ${name}`);
    const raw = bytes(data);
    if (name === 'AES-GCM' && ![16, 24, 32].includes(raw.length))
      throw new DOMException('bad AES key length', 'DataError');
    return makeKey(raw, name === 'HKDF' ? { name } : { name, length: raw.length * 8 }, usages);
  },

  async deriveKey(alg: Alg, base: unknown, derived: Alg, _ext: boolean, usages: string[]) {
    if (
      typeof alg === 'string' ||
      nameOf(alg) !== 'HKDF' ||
      nameOf(String(alg.hash ?? '') as Alg) !== 'SHA-256'
    )
      return unsupported('deriveKey other than HKDF-SHA-256');
    if (typeof derived === 'string' || nameOf(derived) !== 'AES-GCM')
      return unsupported('deriving a key other than AES-GCM');
    const length = Number(derived.length ?? 256);
    if (![128, 192, 256].includes(length))
      throw new DOMException('bad AES length', 'OperationError');
    const okm = hkdf(sha256, key(base, 'HKDF').raw, bytes(alg.salt), bytes(alg.info), length / 8);
    return makeKey(okm, { name: 'AES-GCM', length }, usages);
  },

  async encrypt(alg: Alg, k: unknown, data: unknown) {
    const { iv, aad } = gcmParams(alg);
    return out(gcm(key(k, 'AES-GCM').raw, iv, aad).encrypt(bytes(data)));
  },

  async decrypt(alg: Alg, k: unknown, data: unknown) {
    const { iv, aad } = gcmParams(alg);
    try {
      return out(gcm(key(k, 'AES-GCM').raw, iv, aad).decrypt(bytes(data)));
    } catch {
      throw new DOMException('authentication failed', 'OperationError');
    }
  },

  async digest(alg: Alg, data: unknown) {
    if (nameOf(alg) !== 'SHA-256') return unsupported(`digest ${nameOf(alg)}`);
    return out(sha256(bytes(data)));
  },

  sign: () => unsupported('sign'),
  verify: () => unsupported('verify'),
  generateKey: () => unsupported('generateKey'),
  exportKey: () => unsupported('exportKey'),
  deriveBits: () => unsupported('deriveBits'),
  wrapKey: () => unsupported('wrapKey'),
  unwrapKey: () => unsupported('unwrapKey'),
};

/** Installs the fallback as `crypto.subtle` when the page has none; true if it did. */
export function installSubtleFallback(scope: { crypto?: Crypto } = globalThis): boolean {
  const c = scope.crypto;
  if (!c || c.subtle) return false;
  Object.defineProperty(c, 'subtle', { value: fallbackSubtle, configurable: true });
  return true;
}
