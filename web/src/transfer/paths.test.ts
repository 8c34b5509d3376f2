import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../crypto/bytes';
import { MAX_FILES, MAX_TOTAL_PIECES, parseManifest, type FileEntry } from './manifest';
import { MAX_PATH_CHARS, normalisePath } from './paths';
import { PIECE_SIZE } from './pieces';
import { Swarm, MAX_PEER_BITS_BYTES } from './swarm';
import { MAX_MANIFEST_CHUNKS, MANIFEST_CHUNK, parseControl } from './wire';

const H = toBase64Url(new Uint8Array(32));
const file = (path: string, extra: Partial<FileEntry> = {}): FileEntry => ({
  id: 'id' + Math.random().toString(36).slice(2, 10),
  name: path.split('/').pop()!,
  path,
  size: 10,
  type: 'text/plain',
  pieceSize: PIECE_SIZE,
  blockSize: 65536,
  pieces: [H],
  root: H,
  ...extra,
});
const manifest = (files: FileEntry[], extra: object = {}) => ({ v: 2, seq: 1, files, ...extra });

describe('path rules', () => {
  it('keeps safe relative paths (NFC)', () => {
    expect(normalisePath('docs/report.pdf')).toBe('docs/report.pdf');
    expect(normalisePath('cafe\u0301.txt')).toBe('café.txt');
  });

  it.each([
    ['absolute', '/etc/passwd'],
    ['drive letter', 'C:/Users/Public/invoice.pdf.exe'],
    ['drive letter, no slash', 'c:evil.txt'],
    ['backslash', 'a\\b.txt'],
    ['dot-dot', 'a/../../b.txt'],
    ['dot', './b.txt'],
    ['empty segment', 'a//b.txt'],
    ['control', 'a\u0007.txt'],
    ['NUL', 'a\u0000.txt'],
    ['C1 control', 'a\u0085.txt'],
    ['bidi override', 'invoice\u202etxt.exe'],
    ['bidi isolate', 'a\u2066b.txt'],
    ['too long', 'a'.repeat(MAX_PATH_CHARS + 1)],
    ['empty', ''],
  ])('refuses %s', (_, p) => {
    expect(() => normalisePath(p)).toThrow();
  });
});

describe('manifest bounds', () => {
  it('refuses duplicate paths (also differing only in case)', () => {
    expect(() => parseManifest(manifest([file('a/x.txt'), file('a/x.txt')]))).toThrow(/duplicate/);
    expect(() => parseManifest(manifest([file('a/X.txt'), file('a/x.txt')]))).toThrow(/duplicate/);
  });

  it('refuses a name that is not the last path segment', () => {
    expect(() => parseManifest(manifest([file('a/x.txt', { name: 'y.txt' })]))).toThrow(/segment/);
  });

  it('refuses plain outside the test build, and unknown versions', () => {
    const m = manifest([file('x.txt')], { plain: true });
    expect(() => parseManifest(m, { allowPlain: false })).toThrow(/plain/);
    expect(parseManifest(m, { allowPlain: true }).plain).toBe(true);
    expect(() => parseManifest({ ...manifest([]), v: 1 })).toThrow(/version/);
    expect(() => parseManifest({ ...manifest([]), seq: 0 })).toThrow(/seq/);
  });

  it('bounds the file count and the total piece count', () => {
    const many = Array.from({ length: MAX_FILES + 1 }, (_, i) =>
      file(`f${i}.txt`, { size: 0, pieces: [] }),
    );
    expect(() => parseManifest(manifest(many))).toThrow(/too many files/);
    const big = file('big.bin', {
      size: (MAX_TOTAL_PIECES + 1) * PIECE_SIZE,
      pieces: [],
      root: '',
    });
    expect(() => parseManifest(manifest([big]))).toThrow(/too many pieces/);
  });

  it('accepts a growing manifest (hash prefix, no root yet) and refuses a root before all hashes', () => {
    const growing = file('g.bin', { size: 3 * PIECE_SIZE, pieces: [H], root: '' });
    expect(parseManifest(manifest([growing])).files[0]!.pieces).toHaveLength(1);
    expect(() => parseManifest(manifest([{ ...growing, root: H }]))).toThrow(/root/);
  });
});

describe('wire bounds', () => {
  it('refuses manifest chunk frames beyond the buffer bounds', () => {
    const ok = { t: 'manifest', id: 1, i: 0, n: 1, chunk: 'x' };
    expect(parseControl(JSON.stringify(ok))).not.toBeNull();
    expect(parseControl(JSON.stringify({ ...ok, n: MAX_MANIFEST_CHUNKS + 1 }))).toBeNull();
    expect(
      parseControl(JSON.stringify({ ...ok, chunk: 'x'.repeat(MANIFEST_CHUNK + 1) })),
    ).toBeNull();
  });

  it('a `have` with p = 2^31-1 is refused without allocating', () => {
    const peer = new Swarm().add('p', { open: true } as never);
    expect(peer.setHave(0, 2 ** 31 - 1)).toBe(false);
    expect(peer.holds(0, 2 ** 31 - 1)).toBe(false);
    expect(peer.setHave(0, 5)).toBe(true);
    expect(peer.holds(0, 5)).toBe(true);
  });

  it('bitfields of one peer are bounded in total', () => {
    const peer = new Swarm().add('p', { open: true } as never);
    expect(peer.setBitfield(0, new Uint8Array(MAX_PEER_BITS_BYTES))).toBe(true);
    expect(peer.setBitfield(1, new Uint8Array(1))).toBe(false);
    expect(peer.setBitfield(0, new Uint8Array(MAX_PEER_BITS_BYTES + 1))).toBe(false);
    expect(peer.setBitfield(0, new Uint8Array(2))).toBe(true);
    expect(peer.setBitfield(1, new Uint8Array(100))).toBe(true);
  });
});
