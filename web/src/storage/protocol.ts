/** Messages between the page and the OPFS worker. */
export type WorkerRequest =
  | { id: number; op: 'open'; dir: string; name: string; size: number }
  | { id: number; op: 'write'; name: string; offset: number; data: Uint8Array }
  | { id: number; op: 'finish'; name: string; size: number }
  | { id: number; op: 'read'; name: string; offset: number; length: number }
  | { id: number; op: 'close'; name: string }
  | { id: number; op: 'probe' };

export type WorkerResponse =
  { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };
