/** The per-file transfer state machine (the data-state test hook shows it). */

export type FileState = 'waiting' | 'transferring' | 'paused' | 'done' | 'failed';
export type FileEvent = 'start' | 'pause' | 'resume' | 'complete' | 'fail' | 'cancel' | 'retry';

const TABLE: Record<FileState, Partial<Record<FileEvent, FileState>>> = {
  waiting: {
    start: 'transferring',
    pause: 'paused',
    complete: 'done',
    cancel: 'failed',
    fail: 'failed',
  },
  transferring: {
    pause: 'paused',
    complete: 'done',
    cancel: 'failed',
    fail: 'failed',
    start: 'transferring',
  },
  paused: { resume: 'transferring', cancel: 'failed', fail: 'failed', complete: 'done' },
  done: {},
  failed: { retry: 'transferring' },
};

export class IllegalTransition extends Error {}

export function transition(state: FileState, event: FileEvent): FileState {
  const next = TABLE[state][event];
  if (!next) throw new IllegalTransition(`${event} is not allowed in ${state}`);
  return next;
}

export function canTransition(state: FileState, event: FileEvent): boolean {
  return TABLE[state][event] !== undefined;
}
