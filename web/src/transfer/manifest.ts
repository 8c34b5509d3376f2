/**
 * The manifest: what a sender offers. It travels only sealed (crypto/sealManifest) over the data
 * channel, never over signaling. `root` is the whole-file hash: SHA-256 over
 * "p2p-share-root-v1" ‖ size (u64 BE) ‖ SHA-256 of every piece, in order; a receiver checks each
 * piece against its hash before storing it, and the finished file's root over those hashes.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes';
import { collisionKey, normalisePath, PathError } from './paths';
import { pieceCount } from './pieces';

export const MANIFEST_VERSION = 2;
/** Bounds on what a manifest may announce (a receiver allocates per file and per piece). */
export const MAX_FILES = 10_000;
export const MAX_FILE_BYTES = 2 ** 42; // 4 TiB
export const MAX_TOTAL_PIECES = 2 ** 20; // 1 TiB at 1 MiB pieces

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
  /** base64url SHA-256 of each piece hashed so far, in order (a prefix: the manifest grows) */
  pieces: string[];
  /** base64url whole-file root hash (see above); '' until every piece hash is in */
  root: string;
}

export interface Manifest {
  v: 2;
  /** version of this share's manifest: a receiver adopts only a higher one than it has */
  seq: number;
  /** TEST BUILD ONLY (?plain=1 on the sender): no encryption, no hashing; refused otherwise */
  plain?: boolean;
  files: FileEntry[];
}

export class ManifestError extends Error {}

const MAX_PIECE = 16 * 1024 * 1024;

function isStr(x: unknown, max = 4096): x is string {
  return typeof x === 'string' && x.length <= max;
}

function checkedPath(p: unknown, i: number): string {
  try {
    return normalisePath(p as string);
  } catch (e) {
    throw new ManifestError(`file ${i}: ${e instanceof PathError ? e.message : 'bad path'}`);
  }
}

/**
 * Validates untrusted JSON into a Manifest. `allowPlain` is true only in the test build: a
 * production receiver refuses a manifest that would turn off decryption and hashing.
 */
export function parseManifest(
  json: unknown,
  { allowPlain = __TEST_BUILD__ }: { allowPlain?: boolean } = {},
): Manifest {
  if (typeof json !== 'object' || json === null) throw new ManifestError('not an object');
  const m = json as Record<string, unknown>;
  if (m.v !== MANIFEST_VERSION) throw new ManifestError('unsupported manifest version');
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 1) throw new ManifestError('bad seq');
  if (m.plain !== undefined && m.plain !== false && !(allowPlain && m.plain === true))
    throw new ManifestError('plain manifests are refused');
  if (!Array.isArray(m.files)) throw new ManifestError('files missing');
  if (m.files.length > MAX_FILES) throw new ManifestError('too many files');
  const ids = new Set<string>();
  const paths = new Set<string>();
  let totalPieces = 0;
  const files = m.files.map((f: unknown, i): FileEntry => {
    if (typeof f !== 'object' || f === null) throw new ManifestError(`file ${i}: not an object`);
    const e = f as Record<string, unknown>;
    if (!isStr(e.id, 64) || !/^[A-Za-z0-9_-]{8,64}$/.test(e.id))
      throw new ManifestError(`file ${i}: bad id`);
    if (ids.has(e.id)) throw new ManifestError(`file ${i}: duplicate id`);
    ids.add(e.id);
    const path = checkedPath(e.path, i);
    const name = checkedPath(e.name, i);
    if (name.includes('/') || !(path === name || path.endsWith('/' + name)))
      throw new ManifestError(`file ${i}: name is not the path's last segment`);
    const key = collisionKey(path);
    if (paths.has(key)) throw new ManifestError(`file ${i}: duplicate path`);
    paths.add(key);
    if (
      !Number.isSafeInteger(e.size) ||
      (e.size as number) < 0 ||
      (e.size as number) > MAX_FILE_BYTES
    )
      throw new ManifestError(`file ${i}: bad size`);
    if (!isStr(e.type, 256)) throw new ManifestError(`file ${i}: bad type`);
    const ps = e.pieceSize as number;
    const bs = e.blockSize as number;
    if (!Number.isSafeInteger(ps) || ps < 1024 || ps > MAX_PIECE)
      throw new ManifestError(`file ${i}: bad piece size`);
    if (!Number.isSafeInteger(bs) || bs < 1024 || bs > ps || bs > 192 * 1024)
      throw new ManifestError(`file ${i}: bad block size`);
    const n = pieceCount(e.size as number, ps);
    totalPieces += n;
    if (totalPieces > MAX_TOTAL_PIECES) throw new ManifestError('too many pieces');
    if (!Array.isArray(e.pieces) || e.pieces.length > n)
      throw new ManifestError(`file ${i}: more piece hashes than pieces`);
    for (const h of e.pieces)
      if (!isStr(h, 64) || !isHash(h)) throw new ManifestError(`file ${i}: bad piece hash`);
    const complete = e.pieces.length === n;
    if (complete ? !isStr(e.root, 64) || !isHash(e.root) : e.root !== '')
      throw new ManifestError(`file ${i}: bad root hash`);
    return {
      id: e.id,
      name,
      path,
      size: e.size as number,
      type: e.type,
      pieceSize: ps,
      blockSize: bs,
      pieces: e.pieces as string[],
      root: e.root as string,
    };
  });
  return { v: 2, seq: m.seq as number, ...(m.plain === true ? { plain: true } : {}), files };
}

function isHash(h: string): boolean {
  try {
    return fromBase64Url(h).length === 32;
  } catch {
    return false;
  }
}

/** Whether every piece hash of file `f` is in (the file can be verified whole). */
export function fullyHashed(e: FileEntry): boolean {
  return e.pieces.length === pieceCount(e.size, e.pieceSize);
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
