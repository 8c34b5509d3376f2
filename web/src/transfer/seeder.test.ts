import { describe, expect, it } from 'vitest';
import type { DataLink } from '../peer/link';
import type { FileEntry } from './manifest';
import { type PieceSource, SeedSession } from './seeder';
import { newStats } from './stats';

const SIZE = 3_000_000;

const entry: FileEntry = {
  id: 'file-0',
  name: 'a.bin',
  path: 'a.bin',
  size: SIZE,
  type: 'application/octet-stream',
  pieceSize: 1 << 20,
  blockSize: 1 << 16,
  pieces: [],
  root: '',
};

const source: PieceSource = {
  entry: (f) => (f === 0 ? entry : undefined),
  key: () => null,
  has: () => false,
  readPiece: () => Promise.reject(new Error('not served in this test')),
};

function session(): SeedSession {
  const link: DataLink = {
    send: () => {},
    bufferedAmount: 0,
    drained: () => Promise.resolve(),
    open: true,
  };
  return new SeedSession(link, source, newStats());
}

describe('receiver progress reports on the sender (issue 14 finding 4)', () => {
  it('does not count a file done while the receiver reports fewer bytes than its size', () => {
    const s = session();
    s.handle({ t: 'progress', f: 0, bytes: 0, done: true });
    expect(s.progress.reported.get(0)).toEqual({ bytes: 0, done: false });
    s.handle({ t: 'progress', f: 0, bytes: SIZE - 1, done: true });
    expect(s.progress.reported.get(0)).toEqual({ bytes: SIZE - 1, done: false });
  });

  it('counts a file done once every byte is reported verified', () => {
    const s = session();
    s.handle({ t: 'progress', f: 0, bytes: SIZE, done: true });
    expect(s.progress.reported.get(0)).toEqual({ bytes: SIZE, done: true });
  });

  it('ignores reports of unknown files and of more bytes than the file has', () => {
    const s = session();
    s.handle({ t: 'progress', f: 1, bytes: 10, done: true });
    s.handle({ t: 'progress', f: 0, bytes: SIZE + 1, done: true });
    expect(s.progress.reported.size).toBe(0);
  });
});
