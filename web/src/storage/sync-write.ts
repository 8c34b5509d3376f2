/**
 * Writing through an OPFS synchronous access handle without trusting a bad byte count. Chromium
 * reports some failed writes as a count instead of an exception: an off-the-record profile's
 * in-memory file system that is full returns base::File's FILE_ERROR_NO_SPACE (-8) cast to an
 * unsigned 32-bit count (4,294,967,288). Adding that to the offset ends the loop as if the
 * piece were stored, and the transfer later stalls or fails its end check with no word why.
 */

/** The part of FileSystemSyncAccessHandle this needs. */
export interface WritableHandle {
  write(buf: Uint8Array, opts: { at: number }): number;
}

/** A write the browser's storage did not complete: almost always a full disk or quota. */
export class StorageWriteError extends Error {
  override readonly name = 'StorageWriteError';
}

/** Writes all of `data` at `at`; throws StorageWriteError when the handle reports a bad count. */
export function writeAll(h: WritableHandle, data: Uint8Array, at: number): void {
  let done = 0;
  while (done < data.length) {
    const rest = data.length - done;
    const n = h.write(data.subarray(done), { at: at + done });
    if (!(Number.isSafeInteger(n) && n > 0 && n <= rest))
      throw new StorageWriteError(
        `the browser stored ${done} of ${data.length} bytes at offset ${at} (it reported ${n}): its storage is probably full`,
      );
    done += n;
  }
}

/** Whether a storage failure (as the worker reports it, "<name>: <message>") means no space. */
export function isNoSpace(e: unknown): boolean {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return /QuotaExceededError|StorageWriteError|no space|quota/i.test(text);
}
