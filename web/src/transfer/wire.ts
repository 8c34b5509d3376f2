/**
 * The file protocol on the data channel. Control messages are JSON text frames (a validated
 * discriminated union); file blocks are binary frames with a fixed 20-byte header.
 *   header: type u8 (=1) | 3 zero bytes | request id u32 | file index u32 | piece u32 | block u32
 */
export const MANIFEST_CHUNK = 128 * 1024;

export type ControlMessage =
  /** one chunk of the JSON of the sealed manifest box; `id` names one sending of it */
  | { t: 'manifest'; id: number; i: number; n: number; chunk: string }
  /** ask for one whole piece; the answer is its blocks, tagged with `r` */
  | { t: 'get'; r: number; f: number; p: number }
  /** drop queued requests for a file (pause/cancel) */
  | { t: 'cancel'; f: number }
  /** receiver progress report (so the sender can show it): verified bytes of a file */
  | { t: 'progress'; f: number; bytes: number; done: boolean };

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
      return u32(o.id) && u32(o.i) && u32(o.n) && o.i < o.n && typeof o.chunk === 'string'
        ? { t: 'manifest', id: o.id, i: o.i, n: o.n, chunk: o.chunk }
        : null;
    case 'get':
      return u32(o.r) && u32(o.f) && u32(o.p) ? { t: 'get', r: o.r, f: o.f, p: o.p } : null;
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
  b: number;
}

export function encodeBlock(h: BlockHeader, payload: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(BLOCK_HEADER + payload.length);
  const dv = new DataView(buf);
  dv.setUint8(0, BLOCK_TYPE);
  dv.setUint32(4, h.r);
  dv.setUint32(8, h.f);
  dv.setUint32(12, h.p);
  dv.setUint32(16, h.b);
  new Uint8Array(buf, BLOCK_HEADER).set(payload);
  return buf;
}

export function decodeBlock(buf: ArrayBuffer): { h: BlockHeader; payload: Uint8Array } | null {
  if (buf.byteLength < BLOCK_HEADER) return null;
  const dv = new DataView(buf);
  if (dv.getUint8(0) !== BLOCK_TYPE) return null;
  return {
    h: { r: dv.getUint32(4), f: dv.getUint32(8), p: dv.getUint32(12), b: dv.getUint32(16) },
    payload: new Uint8Array(buf, BLOCK_HEADER),
  };
}
