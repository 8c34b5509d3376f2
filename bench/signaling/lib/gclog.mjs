// Reads a JVM GC log written with -Xlog:gc:file=<f>:uptime and sums, for a window of JVM uptime,
// what was allocated (heap before a collection minus heap after the previous one), how many
// collections ran and their longest pause. Works for Serial, Parallel and G1 pause lines.
import { readFileSync } from 'node:fs';

const UNIT = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };
// [12.345s][info][gc] GC(3) Pause Young (Allocation Failure) 98M->3M(245M) 1.234ms
const LINE = /^\[(\d+\.\d+)s\].*GC\(\d+\) (Pause \S+).*? (\d+)([KMG])->(\d+)([KMG])\((\d+)[KMG]\) (\d+\.\d+)ms/;

/** Java flag that makes a node write the log this module reads. */
export const gcLogFlag = (file) => `-Xlog:gc:file=${file}:uptime`;

export function parseGcLog(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ t: Number(m[1]), kind: m[2], before: Number(m[3]) * UNIT[m[4]], after: Number(m[5]) * UNIT[m[6]], pauseMs: Number(m[8]) });
  }
  return out;
}

/**
 * Allocation rate (bytes/s) between the first and last collection inside [from, to] (JVM uptime
 * seconds), the number of collections and the longest pause there. Null rate with < 2 collections.
 */
export function gcWindow(file, from, to) {
  const gcs = parseGcLog(file).filter((g) => g.t >= from && g.t <= to);
  const maxPauseMs = gcs.reduce((m, g) => Math.max(m, g.pauseMs), 0);
  const totalPauseMs = gcs.reduce((s, g) => s + g.pauseMs, 0);
  let allocated = 0;
  for (let i = 1; i < gcs.length; i++) allocated += Math.max(0, gcs[i].before - gcs[i - 1].after);
  const span = gcs.length > 1 ? gcs[gcs.length - 1].t - gcs[0].t : 0;
  return {
    collections: gcs.length,
    maxPauseMs: Math.round(maxPauseMs * 10) / 10,
    pausePct: to > from ? Math.round((totalPauseMs / ((to - from) * 1000)) * 1000) / 10 : null,
    allocBytesPerSec: span > 0 ? allocated / span : null,
  };
}
