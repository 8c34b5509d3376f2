/**
 * Rules for the names and paths a manifest may carry: a receiver writes them into ZIPs and save
 * dialogs, so anything that could escape a folder, look like something else or hide characters
 * is refused (not repaired).
 */
export const MAX_PATH_CHARS = 1024;
export const MAX_SEGMENT_CHARS = 255;

/** C0, DEL, C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional overrides, embeddings, isolates and marks (they can disguise an extension). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const DRIVE = /^[A-Za-z]:/;

export class PathError extends Error {}

/** The NFC form of a safe relative '/'-separated path, or a PathError saying why not. */
export function normalisePath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new PathError('empty path');
  const p = path.normalize('NFC');
  if (p.length > MAX_PATH_CHARS) throw new PathError('path too long');
  if (CONTROL.test(p)) throw new PathError('control character in path');
  if (BIDI.test(p)) throw new PathError('bidirectional control character in path');
  if (p.startsWith('/') || p.includes('\\')) throw new PathError('absolute path');
  if (DRIVE.test(p)) throw new PathError('drive letter in path');
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new PathError('empty, . or .. segment');
    if (seg.length > MAX_SEGMENT_CHARS) throw new PathError('path segment too long');
  }
  return p;
}

/** Key under which two paths collide on case-insensitive file systems (and in ZIP tools). */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}
