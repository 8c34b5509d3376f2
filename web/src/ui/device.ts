/**
 * Phone-friendly browser APIs: a screen wake lock while a transfer runs, a notification when a
 * transfer finishes while the page is in the background, and a catch-up when the page comes back
 * from the background (signaling socket and peer links re-checked). All feature-detected.
 * Test hook: `window.__p2p.device` (wakeLock state, notifications shown).
 */

/** A page hidden at least this long is re-checked (socket, links) when it becomes visible. */
export const RESUME_AFTER_HIDDEN_MS = 2000;

type WakeState = 'unsupported' | 'idle' | 'held' | 'released' | 'error';

interface Sentinel {
  released: boolean;
  release(): Promise<void>;
  addEventListener(type: 'release', fn: () => void): void;
}

/** Holds `navigator.wakeLock` ('screen') while wanted; re-acquires it when the page is visible again. */
export class WakeLockKeeper {
  private sentinel: Sentinel | null = null;
  private wanted = false;
  state: WakeState;

  constructor() {
    this.state = 'wakeLock' in navigator ? 'idle' : 'unsupported';
    document.addEventListener('visibilitychange', () => {
      // the browser releases the lock when the page is hidden; take it again on return
      if (document.visibilityState === 'visible' && this.wanted) void this.acquire();
    });
  }

  set(active: boolean): void {
    if (active === this.wanted) return;
    this.wanted = active;
    if (active) void this.acquire();
    else void this.release();
  }

  private async acquire(): Promise<void> {
    if (this.state === 'unsupported' || (this.sentinel && !this.sentinel.released)) return;
    try {
      const wl = (navigator as unknown as { wakeLock: { request(t: 'screen'): Promise<Sentinel> } })
        .wakeLock;
      const s = await wl.request('screen');
      if (!this.wanted) return void s.release();
      this.sentinel = s;
      this.state = 'held';
      s.addEventListener('release', () => {
        if (this.sentinel === s) this.state = 'released';
      });
    } catch {
      this.state = 'error'; // hidden page, or refused by a policy: try again when visible
    }
  }

  private async release(): Promise<void> {
    const s = this.sentinel;
    this.sentinel = null;
    this.state = this.state === 'unsupported' ? this.state : 'idle';
    await s?.release().catch(() => {});
  }
}

/** Notifies when a transfer finishes while the page is hidden (permission asked on a gesture). */
export class BackgroundNotifier {
  /** titles of notifications shown (test hook) */
  readonly shown: string[] = [];

  /** Asks for permission on the first click on `el` (browsers require a user gesture). */
  askOn(el: HTMLElement): void {
    if (!('Notification' in window)) return;
    el.addEventListener(
      'click',
      () => {
        if (Notification.permission === 'default') void Notification.requestPermission();
      },
      { once: true },
    );
  }

  finished(title: string, body: string): void {
    if (!('Notification' in window) || !document.hidden) return;
    if (Notification.permission !== 'granted') return;
    try {
      new Notification(title, { body, tag: 'p2p-share-transfer', icon: '/icons/icon-192.png' });
      this.shown.push(title);
    } catch {
      /* some mobile browsers allow notifications only from a service worker */
    }
  }
}

/**
 * Calls `fn` when the page comes back: visible after RESUME_AFTER_HIDDEN_MS hidden, or restored
 * from the back/forward cache, or resumed after being frozen.
 */
export function onResume(fn: () => void): void {
  let hiddenAt = document.hidden ? Date.now() : 0;
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) hiddenAt = Date.now();
    else if (hiddenAt && Date.now() - hiddenAt >= RESUME_AFTER_HIDDEN_MS) fn();
  });
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) fn();
  });
  document.addEventListener('resume', () => fn());
}

/** Tracks a boolean and fires `fn` on each false → true edge (e.g. "all files done"). */
export function onRise(fn: () => void): (now: boolean) => void {
  let was = false;
  return (now) => {
    if (now && !was) fn();
    was = now;
  };
}

/**
 * What a page does with the above per render: hold the wake lock while `active`, notify once when
 * `done` rises while hidden. `state()` is the test hook exposed as window.__p2p.device.
 */
export class TransferDevice {
  readonly wakeLock = new WakeLockKeeper();
  readonly notifier = new BackgroundNotifier();
  private readonly rise: (now: boolean) => void;

  constructor(title: string, body: string) {
    this.rise = onRise(() => this.notifier.finished(title, body));
  }

  update(active: boolean, done: boolean): void {
    this.wakeLock.set(active && !done);
    this.rise(done);
  }

  state(): { wakeLock: string; notifications: string[] } {
    return { wakeLock: this.wakeLock.state, notifications: [...this.notifier.shown] };
  }
}
