/**
 * End-to-end crypto. The room key (256 random bits, base64url) lives only in the URL fragment.
 * Per-file keys: HKDF-SHA-256(room key, salt = file id, info = "p2p-share/v1/file").
 * Blocks: AES-GCM-256, IV derived from the block's position (offset u64 ‖ length u32, never random:
 * a position is encrypted at most once per file key, re-sends produce identical bytes),
 * AAD = file id ‖ piece u32 ‖ offset u64.
 * The manifest is sealed with its own HKDF key (salt "manifest") and a random IV.
 */
import { asBuffer, concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes';

export const ROOM_KEY_BYTES = 32;
const FILE_INFO = utf8('p2p-share/v1/file');
const MANIFEST_INFO = utf8('p2p-share/v1/manifest');
const MANIFEST_AAD = utf8('p2p-share manifest v1');

export class WrongKeyError extends Error {
  readonly code = 'wrong-key';
  constructor(message: string) {
    super(message);
    this.name = 'WrongKeyError';
  }
}

export class TamperedError extends Error {
  readonly code = 'tampered';
  constructor(message: string) {
    super(message);
    this.name = 'TamperedError';
  }
}

export function generateRoomKey(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(ROOM_KEY_BYTES)));
}

/** Parses the fragment key; a missing or malformed key is a WrongKeyError with a readable message. */
export function parseRoomKey(text: string | null | undefined): Uint8Array {
  if (!text) throw new WrongKeyError('This link has no key: copy the whole link, including #…');
  let raw: Uint8Array;
  try {
    raw = fromBase64Url(text);
  } catch {
    throw new WrongKeyError('The key in this link is malformed: copy the whole link again');
  }
  if (raw.length !== ROOM_KEY_BYTES) {
    throw new WrongKeyError('The key in this link is incomplete: copy the whole link again');
  }
  return raw;
}

export interface RoomKeys {
  /** HKDF base key for per-file derivation. */
  base: CryptoKey;
  manifest: CryptoKey;
}

export async function importRoomKey(raw: Uint8Array): Promise<RoomKeys> {
  const base = await crypto.subtle.importKey('raw', asBuffer(raw), 'HKDF', false, ['deriveKey']);
  const manifest = await crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: asBuffer(utf8('manifest')),
      info: asBuffer(MANIFEST_INFO),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return { base, manifest };
}

export async function deriveFileKey(keys: RoomKeys, fileId: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: asBuffer(utf8(fileId)), info: asBuffer(FILE_INFO) },
    keys.base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** IV = absolute byte offset (u64 BE) ‖ block length (u32 BE): unique per block position. */
export function blockIv(offset: number, length: number): Uint8Array {
  const iv = new Uint8Array(12);
  const dv = new DataView(iv.buffer);
  dv.setBigUint64(0, BigInt(offset));
  dv.setUint32(8, length);
  return iv;
}

/** AAD = file id (UTF-8) ‖ piece (u32 BE) ‖ absolute offset (u64 BE). */
export function blockAad(fileId: string, piece: number, offset: number): Uint8Array {
  const pos = new Uint8Array(12);
  const dv = new DataView(pos.buffer);
  dv.setUint32(0, piece);
  dv.setBigUint64(4, BigInt(offset));
  return concatBytes(utf8(fileId), pos);
}

export async function encryptBlock(
  key: CryptoKey,
  fileId: string,
  piece: number,
  offset: number,
  plain: Uint8Array,
): Promise<Uint8Array> {
  const ct = await crypto.subtle.encrypt(
    {
      name: 'AES-GCM',
      iv: asBuffer(blockIv(offset, plain.length)),
      additionalData: asBuffer(blockAad(fileId, piece, offset)),
    },
    key,
    asBuffer(plain),
  );
  return new Uint8Array(ct);
}

export const GCM_TAG_BYTES = 16;

export async function decryptBlock(
  key: CryptoKey,
  fileId: string,
  piece: number,
  offset: number,
  cipher: Uint8Array,
): Promise<Uint8Array> {
  if (cipher.length < GCM_TAG_BYTES) throw new TamperedError('block too short');
  try {
    const pt = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: asBuffer(blockIv(offset, cipher.length - GCM_TAG_BYTES)),
        additionalData: asBuffer(blockAad(fileId, piece, offset)),
      },
      key,
      asBuffer(cipher),
    );
    return new Uint8Array(pt);
  } catch {
    throw new TamperedError(`block at ${offset} failed authentication`);
  }
}

export interface SealedBox {
  iv: string;
  ct: string;
}

export async function sealManifest(keys: RoomKeys, plain: Uint8Array): Promise<SealedBox> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: asBuffer(MANIFEST_AAD) },
    keys.manifest,
    asBuffer(plain),
  );
  return { iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) };
}

/** Opens the manifest; any failure means the link's key is not the sender's key. */
export async function openManifest(keys: RoomKeys, box: SealedBox): Promise<Uint8Array> {
  try {
    const pt = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: asBuffer(fromBase64Url(box.iv)),
        additionalData: asBuffer(MANIFEST_AAD),
      },
      keys.manifest,
      asBuffer(fromBase64Url(box.ct)),
    );
    return new Uint8Array(pt);
  } catch {
    throw new WrongKeyError(
      'This link’s key does not match the sender’s: the files cannot be decrypted. Ask for the link again.',
    );
  }
}
