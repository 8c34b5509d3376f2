/**
 * Keeps the history of the transfer running on this page: samples its session every second,
 * writes the entry to IndexedDB, sends the anonymous report once it ends (only with consent),
 * and applies the cleanup rules (age, low storage).
 */
import { buildReport, type Consent, sendReport } from '../analytics/report';
import {
  evictForSpace,
  expired,
  type HistoryEntry,
  type TransferProbe,
  TransferTracker,
} from './model';
import { deleteRoomData } from './purge';
import { deleteEntry, getEntry, listEntries, putEntry } from './store';

export const DAY_MS = 24 * 3600 * 1000;

export interface ServiceOptions {
  consent: () => Consent;
  userAgent: string;
  fetchFn: typeof fetch;
  onChange: () => void;
  /** called with every history entry a report went out for (tests, debugging) */
  onReport?: (e: HistoryEntry) => void;
}

export class HistoryService {
  tracker: TransferTracker | null = null;
  private starting = false;
  private lastWrite = 0;
  private lastStatus = '';
  private conn: Awaited<ReturnType<TransferProbe['connection']>> = null;
  private connAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reported = false;

  constructor(
    private readonly probe: TransferProbe | null,
    private readonly opts: ServiceOptions,
  ) {}

  /** id of the entry of the transfer running on this page, if any */
  get liveId(): string | null {
    return this.tracker?.entry?.id ?? null;
  }

  start(): void {
    if (!this.probe || this.timer) return;
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  private async tick(final = false): Promise<void> {
    const p = this.probe;
    if (!p) return;
    if (!this.tracker) {
      const room = p.room();
      if (!room || !p.files() || this.starting) return;
      this.starting = true;
      const prev = await getEntry(`${p.direction}:${room}`).catch(() => undefined);
      this.tracker = new TransferTracker(p, () => Date.now(), prev);
      this.starting = false;
    }
    const now = Date.now();
    if (!this.conn) {
      // until the selected pair is known, ask every tick (a small transfer may end in a second)
      this.conn = await p.connection().catch(() => null);
      this.connAt = now;
    } else if (now - this.connAt > 5000) {
      this.connAt = now;
      void p.connection().then((c) => {
        if (c) this.conn = c;
      });
    }
    const { entry, final: ended } = this.tracker.sample(this.conn);
    if (!entry) return;
    const changed = entry.status !== this.lastStatus;
    if (changed || ended || final || now - this.lastWrite > 2000) {
      this.lastWrite = now;
      this.lastStatus = entry.status;
      await putEntry(entry).catch(() => {});
      if (changed) this.opts.onChange();
    }
    if (ended || (final && entry.bytes > 0)) await this.report(entry);
  }

  /** The page goes away: write the entry as it is (partial if unfinished) and report it. */
  flush(): void {
    void this.tick(true);
  }

  private async report(e: HistoryEntry): Promise<void> {
    // one report per transfer, even if ticks overlap on a busy machine
    if (e.reported || this.reported) return;
    this.reported = true;
    e.reported = true;
    if (this.tracker?.entry) this.tracker.entry.reported = true;
    await putEntry(e).catch(() => {});
    const sent = await sendReport(
      this.opts.consent(),
      buildReport(e, this.opts.userAgent),
      this.opts.fetchFn,
    );
    if (sent) this.opts.onReport?.(e);
  }

  /** Deletes an entry and what it stored (received pieces, resume state). */
  async remove(e: HistoryEntry): Promise<void> {
    if (e.direction === 'receive') await deleteRoomData(e.room);
    await deleteEntry(e.id);
    this.opts.onChange();
  }

  /** Age and low-storage cleanup; never touches the transfer running on this page. */
  async cleanup(maxAgeMs: number, estimate?: { usage: number; quota: number }): Promise<string[]> {
    const all = await listEntries();
    const live = this.liveId;
    const removed: string[] = [];
    for (const e of expired(all, Date.now(), maxAgeMs)) {
      if (e.id === live) continue;
      await this.remove(e).catch(() => {});
      removed.push(e.id);
    }
    const est =
      estimate ??
      (navigator.storage?.estimate
        ? await navigator.storage
            .estimate()
            .then((x) => ({ usage: x.usage ?? 0, quota: x.quota ?? 0 }))
        : undefined);
    if (est) {
      const rest = (await listEntries()).filter((e) => !e.cleared);
      for (const e of evictForSpace(rest, est.usage, est.quota, 0.1, (x) => x.id === live)) {
        await deleteRoomData(e.room).catch(() => {});
        await putEntry({ ...e, cleared: true }).catch(() => {});
        removed.push(e.id);
      }
    }
    if (removed.length) this.opts.onChange();
    return removed;
  }
}
