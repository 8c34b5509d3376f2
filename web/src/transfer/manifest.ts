/**
 * The manifest: what a sender offers. It travels only sealed (crypto/sealManifest) over the data
 * channel, never over signaling. `root` is the whole-file hash: SHA-256 over
 * "p2p-share-root-v1" ‖ size (u64 BE) ‖ SHA-256 of every piece, in order; a receiver checks the
 * finished file against it by re-hashing what it stored.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes';
import { pieceCount } from './pieces';

export interface FileEntry {
  /** random id, the HKDF salt of the file key and part of every block's AAD */
  id: string;
  name: string;
  /** relative path inside a dropped folder, '/'-separated; the name for a plain file */
  path: string;
  size: number;
  type: string;
  pieceSize: number;
  blockSize: number;
  /** base64url SHA-256 of each piece */
  pieces: string[];
  /** base64url whole-file root hash (see above) */
  root: string;
}

export interface Manifest {
  v: 1;
  /** debug switch (?plain=1 on the sender): blocks unencrypted and unhashed, for measurements */
  plain?: boolean;
  files: FileEntry[];
}

export class ManifestError extends Error {}

const MAX_PIECE = 16 * 1024 * 1024;

function isStr(x: unknown, max = 4096): x is string {
  return typeof x === 'string' && x.length <= max;
}

function safePath(p: string): boolean {
  if (p.length === 0 || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Validates untrusted JSON into a Manifest (a peer's manifest is never trusted blindly). */
export function parseManifest(json: unknown): Manifest {
  if (typeof json !== 'object' || json === null) throw new ManifestError('not an object');
  const m = json as Record<string, unknown>;
  if (m.v !== 1) throw new ManifestError('unsupported manifest version');
  if (!Array.isArray(m.files)) throw new ManifestError('files missing');
  const ids = new Set<string>();
  const files = m.files.map((f: unknown, i): FileEntry => {
    if (typeof f !== 'object' || f === null) throw new ManifestError(`file ${i}: not an object`);
    const e = f as Record<string, unknown>;
    if (!isStr(e.id, 64) || !/^[A-Za-z0-9_-]{8,64}$/.test(e.id))
      throw new ManifestError(`file ${i}: bad id`);
    if (ids.has(e.id)) throw new ManifestError(`file ${i}: duplicate id`);
    ids.add(e.id);
    if (!isStr(e.name, 1024) || e.name === '' || e.name.includes('/'))
      throw new ManifestError(`file ${i}: bad name`);
    if (!isStr(e.path) || !safePath(e.path)) throw new ManifestError(`file ${i}: bad path`);
    if (!Number.isSafeInteger(e.size) || (e.size as number) < 0)
      throw new ManifestError(`file ${i}: bad size`);
    if (!isStr(e.type, 256)) throw new ManifestError(`file ${i}: bad type`);
    const ps = e.pieceSize as number;
    const bs = e.blockSize as number;
    if (!Number.isSafeInteger(ps) || ps < 1024 || ps > MAX_PIECE)
      throw new ManifestError(`file ${i}: bad piece size`);
    if (!Number.isSafeInteger(bs) || bs < 1024 || bs > ps || bs > 192 * 1024)
      throw new ManifestError(`file ${i}: bad block size`);
    const n = pieceCount(e.size as number, ps);
    if (!Array.isArray(e.pieces) || e.pieces.length !== n)
      throw new ManifestError(`file ${i}: piece hashes do not match the size`);
    for (const h of e.pieces)
      if (!isStr(h, 64) || fromBase64Url(h).length !== 32)
        throw new ManifestError(`file ${i}: bad piece hash`);
    if (!isStr(e.root, 64) || fromBase64Url(e.root).length !== 32)
      throw new ManifestError(`file ${i}: bad root hash`);
    return {
      id: e.id,
      name: e.name,
      path: e.path,
      size: e.size as number,
      type: e.type,
      pieceSize: ps,
      blockSize: bs,
      pieces: e.pieces as string[],
      root: e.root,
    };
  });
  return { v: 1, plain: m.plain === true, files };
}

export function encodeManifest(m: Manifest): Uint8Array {
  return utf8(JSON.stringify(m));
}

export function decodeManifest(bytes: Uint8Array): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ManifestError('manifest is not JSON');
  }
  return parseManifest(json);
}

/** Root hash over the piece hashes (see the module comment). */
export async function rootHash(size: number, pieceHashes: Uint8Array[]): Promise<string> {
  const head = utf8('p2p-share-root-v1');
  const buf = new Uint8Array(head.length + 8 + 32 * pieceHashes.length);
  buf.set(head, 0);
  new DataView(buf.buffer).setBigUint64(head.length, BigInt(size));
  pieceHashes.forEach((h, i) => buf.set(h, head.length + 8 + 32 * i));
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)));
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  const view =
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  return new Uint8Array(await crypto.subtle.digest('SHA-256', view));
}

export function randomFileId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export function totalSize(m: Manifest): number {
  return m.files.reduce((a, f) => a + f.size, 0);
}
