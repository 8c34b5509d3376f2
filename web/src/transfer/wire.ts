/**
 * The file protocol on the data channel. Control messages are JSON text frames (a validated
 * discriminated union); file blocks are binary frames with a fixed 20-byte header.
 *   header: type u8 (=1) | 3 zero bytes | request id u32 | file index u32 | piece u32 |
 *           offset in the piece u32
 * Every peer holding pieces (the sender, and receivers as they verify pieces) announces them with
 * `bitfield` + `have`; a downloader asks any holder for a byte range of a piece with `req`.
 */
import { fromBase64Url, toBase64Url } from '../crypto/bytes';
import type { Bitfield } from './pieces';

export const MANIFEST_CHUNK = 128 * 1024;
/** Chunks of one sealed manifest: 96 MiB of JSON, above MAX_TOTAL_PIECES hashes sealed. */
export const MAX_MANIFEST_CHUNKS = 768;
/** Largest block a peer may ask for (the block-size policy stays below it, see blocksize.ts). */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** Block requests one `reqs` frame may carry (a downloader's window is at most 64 blocks). */
export const MAX_REQS_PER_FRAME = 64;
/** A bitfield of up to 2^24 pieces (16 TiB at 1 MiB pieces), base64url. */
const MAX_BITFIELD_CHARS = Math.ceil((2 ** 24 / 8) * (4 / 3)) + 4;

export type ControlMessage =
  /** one chunk of the JSON of the sealed manifest box; `id` names one sending of it */
  | { t: 'manifest'; id: number; i: number; n: number; chunk: string }
  /** ask for bytes [o, o+n) of piece p of file f; the answer is one block tagged with `r` */
  | { t: 'req'; r: number; f: number; p: number; o: number; n: number }
  /** several `req`s in one frame, each as [r, f, p, o, n] (fewer messages per byte) */
  | { t: 'reqs'; q: RequestTuple[] }
  /** the seeder will not serve request r (does not hold the piece, or stopped seeding) */
  | { t: 'reject'; r: number }
  /** the verified pieces of file f the sender of this message holds (base64url bits, LSB first) */
  | { t: 'bitfield'; f: number; bits: string }
  /** one more verified piece */
  | { t: 'have'; f: number; p: number }
  /** drop queued requests for a file (pause/cancel) */
  | { t: 'cancel'; f: number }
  /** receiver progress report (so the sender can show it): verified bytes of a file */
  | { t: 'progress'; f: number; bytes: number; done: boolean };

/** One block request as `reqs` carries it: [r, f, p, o, n]. */
export type RequestTuple = [number, number, number, number, number];

const u32 = (x: unknown): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;

export function parseControl(text: string): ControlMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  switch (o.t) {
    case 'manifest':
      return u32(o.id) &&
        u32(o.i) &&
        u32(o.n) &&
        o.i < o.n &&
        o.n <= MAX_MANIFEST_CHUNKS &&
        typeof o.chunk === 'string' &&
        o.chunk.length <= MANIFEST_CHUNK
        ? { t: 'manifest', id: o.id, i: o.i, n: o.n, chunk: o.chunk }
        : null;
    case 'req':
      return u32(o.r) &&
        u32(o.f) &&
        u32(o.p) &&
        u32(o.o) &&
        u32(o.n) &&
        o.n > 0 &&
        o.n <= MAX_REQUEST_BYTES
        ? { t: 'req', r: o.r, f: o.f, p: o.p, o: o.o, n: o.n }
        : null;
    case 'reqs': {
      if (!Array.isArray(o.q) || o.q.length === 0 || o.q.length > MAX_REQS_PER_FRAME) return null;
      const q: [number, number, number, number, number][] = [];
      for (const x of o.q as unknown[]) {
        if (!Array.isArray(x) || x.length !== 5 || !x.every(u32)) return null;
        const [r, f, p, off, n] = x as number[];
        if (n! <= 0 || n! > MAX_REQUEST_BYTES) return null;
        q.push([r!, f!, p!, off!, n!]);
      }
      return { t: 'reqs', q };
    }
    case 'reject':
      return u32(o.r) ? { t: 'reject', r: o.r } : null;
    case 'bitfield':
      return u32(o.f) &&
        typeof o.bits === 'string' &&
        o.bits.length <= MAX_BITFIELD_CHARS &&
        /^[A-Za-z0-9_-]*$/.test(o.bits)
        ? { t: 'bitfield', f: o.f, bits: o.bits }
        : null;
    case 'have':
      return u32(o.f) && u32(o.p) ? { t: 'have', f: o.f, p: o.p } : null;
    case 'cancel':
      return u32(o.f) ? { t: 'cancel', f: o.f } : null;
    case 'progress':
      return u32(o.f) && Number.isSafeInteger(o.bytes) && typeof o.done === 'boolean'
        ? { t: 'progress', f: o.f, bytes: o.bytes as number, done: o.done }
        : null;
    default:
      return null;
  }
}

/** The one encoder of control frames: typed against the union parseControl decodes. */
export function encodeControl(m: ControlMessage): string {
  return JSON.stringify(m);
}

/** The frame asking for `q` (one `req`, or a `reqs` of at most MAX_REQS_PER_FRAME). */
export function encodeRequests(q: readonly RequestTuple[]): string {
  if (q.length === 1) {
    const [r, f, p, o, n] = q[0]!;
    return encodeControl({ t: 'req', r, f, p, o, n });
  }
  return encodeControl({ t: 'reqs', q: [...q] });
}

/** A bitfield's bits as a `bitfield` frame carries them (base64url, LSB first). */
export function encodeBits(b: Bitfield): string {
  return toBase64Url(b.bits);
}

/** The bits of a `bitfield` frame, or null when they are not base64url. */
export function decodeBits(s: string): Uint8Array | null {
  try {
    return fromBase64Url(s);
  } catch {
    return null;
  }
}

/** Splits a sealed manifest's JSON into frames small enough for any data channel. */
export function manifestFrames(id: number, json: string): ControlMessage[] {
  const n = Math.max(1, Math.ceil(json.length / MANIFEST_CHUNK));
  const out: ControlMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      t: 'manifest',
      id,
      i,
      n,
      chunk: json.slice(i * MANIFEST_CHUNK, (i + 1) * MANIFEST_CHUNK),
    });
  }
  return out;
}

/** Reassembles manifest chunks; returns the JSON once every chunk of one `id` arrived. */
export class ManifestAssembler {
  private id = -1;
  private parts: string[] = [];
  private got = 0;
  push(m: Extract<ControlMessage, { t: 'manifest' }>): string | null {
    if (m.id !== this.id) {
      this.id = m.id;
      this.parts = new Array<string>(m.n);
      this.got = 0;
    }
    if (this.parts.length !== m.n) return null;
    if (this.parts[m.i] === undefined) this.got++;
    this.parts[m.i] = m.chunk;
    return this.got === m.n ? this.parts.join('') : null;
  }
}

export const BLOCK_HEADER = 20;
export const BLOCK_TYPE = 1;

export interface BlockHeader {
  r: number;
  f: number;
  p: number;
  /** byte offset of the block inside its piece */
  o: number;
}

export function encodeBlock(h: BlockHeader, payload: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(BLOCK_HEADER + payload.length);
  const dv = new DataView(buf);
  dv.setUint8(0, BLOCK_TYPE);
  dv.setUint32(4, h.r);
  dv.setUint32(8, h.f);
  dv.setUint32(12, h.p);
  dv.setUint32(16, h.o);
  new Uint8Array(buf, BLOCK_HEADER).set(payload);
  return buf;
}

export function decodeBlock(buf: ArrayBuffer): { h: BlockHeader; payload: Uint8Array } | null {
  if (buf.byteLength < BLOCK_HEADER) return null;
  const dv = new DataView(buf);
  if (dv.getUint8(0) !== BLOCK_TYPE) return null;
  return {
    h: { r: dv.getUint32(4), f: dv.getUint32(8), p: dv.getUint32(12), o: dv.getUint32(16) },
    payload: new Uint8Array(buf, BLOCK_HEADER),
  };
}
