import { describe, expect, it } from 'vitest';
import { isNoSpace, StorageWriteError, writeAll, type WritableHandle } from './sync-write';

/** A handle over a byte array that writes at most `chunk` bytes per call, then reports `failWith`. */
function handle(size: number, chunk: number, failAfter = Infinity, failWith = 2 ** 32 - 8) {
  const bytes = new Uint8Array(size);
  let written = 0;
  const h: WritableHandle = {
    write(buf, { at }) {
      if (written >= failAfter) return failWith;
      const n = Math.min(chunk, buf.length);
      bytes.set(buf.subarray(0, n), at);
      written += n;
      return n;
    },
  };
  return { h, bytes };
}

describe('writing through a sync access handle', () => {
  it('completes short writes', () => {
    const { h, bytes } = handle(10, 3);
    writeAll(h, Uint8Array.from([1, 2, 3, 4, 5, 6, 7]), 2);
    expect([...bytes]).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 0]);
  });

  it("refuses the count Chromium's full in-memory file system reports (-8 as u32)", () => {
    const { h } = handle(1 << 20, 1 << 20, 0);
    expect(() => writeAll(h, new Uint8Array(1 << 20), 0)).toThrow(StorageWriteError);
  });

  it('refuses a write that stores nothing, or more than it was given', () => {
    expect(() => writeAll(handle(8, 8, 0, 0).h, new Uint8Array(4), 0)).toThrow(/stored 0 of 4/);
    expect(() => writeAll(handle(8, 2, 2, 5).h, new Uint8Array(4), 0)).toThrow(/stored 2 of 4/);
  });

  it('counts a full disk or quota as no space, other failures not', () => {
    expect(isNoSpace(new StorageWriteError('x'))).toBe(true);
    // as the worker reports it to the page: "<name>: <message>"
    expect(isNoSpace(new Error('StorageWriteError: the browser stored 0 of 9 bytes'))).toBe(true);
    expect(isNoSpace(new Error('QuotaExceededError: the quota has been exceeded'))).toBe(true);
    expect(isNoSpace(new Error('InvalidStateError: file not open'))).toBe(false);
  });
});
