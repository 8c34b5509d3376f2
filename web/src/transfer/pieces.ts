/** Piece and block arithmetic, and a compact bitfield of verified pieces. */

export const PIECE_SIZE = 1024 * 1024;
/** Wire block: 128 KiB plaintext; with the 20-byte header and 16-byte GCM tag it stays far below
 * Chromium's 256 KiB data-channel message limit. Fixed per file, so a block's position (its IV)
 * always carries the same bytes. */
export const BLOCK_SIZE = 128 * 1024;

export function pieceCount(size: number, pieceSize: number): number {
  return size <= 0 ? 0 : Math.ceil(size / pieceSize);
}

export function pieceLength(size: number, pieceSize: number, piece: number): number {
  const start = piece * pieceSize;
  if (piece < 0 || start >= size) throw new RangeError(`piece ${piece} out of range`);
  return Math.min(pieceSize, size - start);
}

export interface BlockSpan {
  /** index of the block inside its piece */
  index: number;
  /** absolute byte offset in the file */
  offset: number;
  length: number;
}

export function blocksOfPiece(
  size: number,
  pieceSize: number,
  blockSize: number,
  piece: number,
): BlockSpan[] {
  const len = pieceLength(size, pieceSize, piece);
  const start = piece * pieceSize;
  const out: BlockSpan[] = [];
  for (let o = 0, i = 0; o < len; o += blockSize, i++) {
    out.push({ index: i, offset: start + o, length: Math.min(blockSize, len - o) });
  }
  return out;
}

export function blockCount(size: number, pieceSize: number, blockSize: number, piece: number) {
  return Math.ceil(pieceLength(size, pieceSize, piece) / blockSize);
}

export class Bitfield {
  readonly bits: Uint8Array;
  constructor(
    readonly length: number,
    bits?: Uint8Array,
  ) {
    this.bits = new Uint8Array(Math.ceil(length / 8));
    if (bits) this.bits.set(bits.subarray(0, this.bits.length));
  }
  has(i: number): boolean {
    return i >= 0 && i < this.length && (this.bits[i >> 3]! & (1 << (i & 7))) !== 0;
  }
  set(i: number): void {
    if (i < 0 || i >= this.length) throw new RangeError(`bit ${i} out of range`);
    this.bits[i >> 3]! |= 1 << (i & 7);
  }
  clear(i: number): void {
    if (i >= 0 && i < this.length) this.bits[i >> 3]! &= ~(1 << (i & 7));
  }
  count(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) if (this.has(i)) n++;
    return n;
  }
  complete(): boolean {
    return this.count() === this.length;
  }
  /** First missing piece at or after `from`, or -1. */
  nextMissing(from = 0): number {
    for (let i = Math.max(0, from); i < this.length; i++) if (!this.has(i)) return i;
    return -1;
  }
}

/** Bytes covered by the set pieces of a file. */
export function verifiedBytes(size: number, pieceSize: number, have: Bitfield): number {
  let n = 0;
  for (let i = 0; i < have.length; i++) if (have.has(i)) n += pieceLength(size, pieceSize, i);
  return n;
}
