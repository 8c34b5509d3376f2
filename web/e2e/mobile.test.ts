/**
 * Phones: sender and receiver at 360×640 (isMobile, touch, DPR 2). Nothing overflows
 * horizontally, the main controls are visible and work by tap; screenshots mid and after the
 * transfer (the pair after it → docs/screenshot-mobile.png). Device APIs as far as headless
 * Chromium has them: the screen wake lock is held while the transfer runs and released after; a
 * transfer that finishes while the page is hidden (document.hidden overridden by an init script)
 * raises a Notification (window.Notification wrapped); the page frozen in the background
 * (CDP Page.setWebLifecycleState) catches up when it comes back and finishes the transfer.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { captureFrames } from './browser.js';
import { OUT_DIR, WEB_DIR } from './cluster.js';
import { type Fixture, useFixture } from './fixture.js';
import {
  linkedPair,
  rows,
  saveAndHash,
  sha256File,
  stats,
  waitAllDone,
  writeRandomFile,
} from './helpers.js';

const MiB = 1024 * 1024;
const WIDTH = 360;
const HEIGHT = 640;
const PHONE = {
  viewport: { width: WIDTH, height: HEIGHT },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
/** Smallest box a finger can hit reliably (WCAG 2.5.8 asks for 24 CSS px). */
const MIN_TAP_PX = 24;
/** How long the receiver stays frozen in the background. */
const FROZEN_MS = 3000;
const SCREENSHOT = resolve(WEB_DIR, '..', 'docs', 'screenshot-mobile.png');

/** the suite's fixture (set inside the describe) */
let e2e: Fixture;

/** Test-only page overrides: a controllable document.hidden and a recording Notification. */
function phoneHooks(): void {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden, configurable: true });
  Object.defineProperty(Document.prototype, 'visibilityState', {
    get: () => (hidden ? 'hidden' : 'visible'),
    configurable: true,
  });
  const w = window as unknown as Record<string, unknown>;
  w.__setHidden = (on: boolean) => {
    hidden = on;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  const shown: { title: string; body?: string }[] = [];
  w.__notifications = shown;
  const Real = window.Notification;
  class Recording extends Real {
    constructor(title: string, opts?: NotificationOptions) {
      shown.push({ title, body: opts?.body }); // recorded first: the real one may be refused
      super(title, opts);
    }
  }
  window.Notification = Recording;
}

async function setHidden(p: Page, on: boolean): Promise<void> {
  await p.evaluate(
    (on) => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(on),
    on,
  );
}

/** How often the page's signaling client was woken (window.__p2p.session.sig.wakeups). */
function wakeups(p: Page): () => Promise<number> {
  return () =>
    p.evaluate(
      () =>
        (window as unknown as { __p2p: { session: { sig: { wakeups: number } } } }).__p2p.session
          .sig.wakeups,
    );
}

async function device(p: Page): Promise<{ wakeLock: string; notifications: string[] }> {
  return p.evaluate(() =>
    (
      window as unknown as {
        __p2p: { device: { state(): { wakeLock: string; notifications: string[] } } };
      }
    ).__p2p.device.state(),
  );
}

/** No horizontal scrolling: the page is not wider than the phone. */
async function assertFits(p: Page, what: string): Promise<void> {
  const w = await p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
  }));
  assert.ok(
    w.scroll <= WIDTH && w.body <= WIDTH,
    `${what}: page width ${JSON.stringify(w)} > ${WIDTH}`,
  );
}

/** Visible, inside the viewport's width, big enough, and the topmost element at its centre. */
async function assertTappable(p: Page, testIdOrSelector: string): Promise<void> {
  const loc =
    testIdOrSelector.startsWith('[') || testIdOrSelector.includes(' ')
      ? p.locator(testIdOrSelector).first()
      : p.getByTestId(testIdOrSelector).first();
  await loc.scrollIntoViewIfNeeded();
  const box = await loc.boundingBox();
  assert.ok(box, `${testIdOrSelector} is rendered`);
  assert.ok(
    box.x >= 0 && box.x + box.width <= WIDTH,
    `${testIdOrSelector} inside ${WIDTH}px: ${JSON.stringify(box)}`,
  );
  assert.ok(
    box.height >= MIN_TAP_PX && box.width >= MIN_TAP_PX,
    `${testIdOrSelector} ≥ ${MIN_TAP_PX}px: ${JSON.stringify(box)}`,
  );
  const onTop = await loc.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return !!hit && (hit === el || el.contains(hit));
  });
  assert.ok(onTop, `${testIdOrSelector} is not covered by another element`);
}

/** Screenshot with the interesting part in view: the sender's link, the receiver's progress. */
async function shot(p: Page, name: string): Promise<Buffer> {
  await p.evaluate(() => {
    const link = document.querySelector('[data-testid="share-link"]');
    if (link) link.scrollIntoView({ block: 'center' });
    else document.querySelector('.recv-head')?.scrollIntoView({ block: 'start' });
  });
  const b = await p.screenshot({ fullPage: false });
  writeFileSync(join(OUT_DIR, name), b);
  return b;
}

describe(
  'mobile: 360×640 phone layout, wake lock, notification, resume',
  { timeout: 600_000 },
  () => {
    e2e = useFixture({
      name: 'mobile',
      prepare: (dir) => {
        mkdirSync(OUT_DIR, { recursive: true });
        writeRandomFile(join(dir, 'holiday-video-from-the-beach.mp4'), 24 * MiB);
        writeRandomFile(join(dir, 'notes.txt'), 3000);
      },
    });

    test('phone-sized sender and receiver: fits, taps, wake lock, background notification, resume', async () => {
      const frames: string[] = [];
      const pair = await linkedPair(
        e2e,
        [join(e2e.dir, 'holiday-video-from-the-beach.mp4'), join(e2e.dir, 'notes.txt')],
        {
          context: PHONE,
          recvQuery: `rate=${3 * MiB}`, // a transfer long enough to look at it mid-way
          setup: async (page, role) => {
            await page
              .context()
              .grantPermissions(['camera', 'microphone', 'notifications', 'screen-wake-lock'], {
                origin: e2e.base,
              });
            await page.addInitScript(phoneHooks);
            if (role === 'receiver') captureFrames(page, frames);
          },
        },
      );
      const { sender, receiver } = pair;

      // sender with its link: fits, link + copy button usable
      await assertFits(sender, 'sender');
      await assertTappable(sender, 'share-link');
      await assertTappable(sender, 'button:has-text("Copy link")');
      await assertTappable(sender, 'label:has-text("Choose files")');

      // receiver: accept by tap
      await assertFits(receiver, 'receiver before accepting');
      await assertTappable(receiver, 'accept');
      await receiver.getByTestId('accept').tap();
      await e2e.poll(
        () => stats(receiver),
        (s) => s.bytesReceived > 0,
        60_000,
        'first bytes',
      );
      await e2e.poll(
        () => device(receiver),
        (d) => d.wakeLock === 'held',
        10_000,
        'wake lock held while transferring',
      );

      // mid-transfer: fits, pause/resume by tap
      await assertFits(receiver, 'receiver mid-transfer');
      await assertFits(sender, 'sender mid-transfer');
      const big = receiver.locator(
        '[data-testid="file-row"][data-path="holiday-video-from-the-beach.mp4"]',
      );
      await assertTappable(
        receiver,
        '[data-testid="file-row"][data-path="holiday-video-from-the-beach.mp4"] [data-testid="pause"]',
      );
      const midShots = [
        await shot(sender, 'mobile-sender-mid.png'),
        await shot(receiver, 'mobile-receiver-mid.png'),
      ];
      await big.getByTestId('pause').tap();
      await e2e.poll(
        () => rows(receiver),
        (r) => r.some((x) => x.state === 'paused'),
        20_000,
        'paused by tap',
      );
      await big.getByTestId('resume').tap();
      await e2e.poll(
        () => rows(receiver),
        (r) => r.every((x) => x.state !== 'paused'),
        20_000,
        'resumed by tap',
      );

      // to the background: hidden, then frozen for a while (as a phone does), then thawed
      await setHidden(receiver, true);
      const frozenAt = (await stats(receiver)).bytesReceived;
      const cdp = await receiver.context().newCDPSession(receiver);
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      await new Promise((r) => setTimeout(r, FROZEN_MS)); // the freeze itself is what is tested
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      const pingsBefore = frames.filter((f) => f.includes('"ping"')).length;
      await setHidden(receiver, false); // back: the page re-checks signaling socket and links
      await e2e.poll(wakeups(receiver), (n) => n === 1, 10_000, 'signaling wake() on return');
      await e2e.poll(
        async () => frames.filter((f) => f.includes('"ping"')).length,
        (n) => n > pingsBefore,
        10_000,
        'the wake probe (ping) sent',
      );
      await e2e.poll(
        async () => (await stats(receiver)).bytesReceived,
        (b) => b > frozenAt,
        60_000,
        'progress after the thaw',
      );

      // finish in the background → one notification; wake lock released when idle
      await setHidden(receiver, true);
      await waitAllDone(receiver, 2, 240_000);
      const notes = await e2e.poll(
        () =>
          receiver.evaluate(
            () => (window as unknown as { __notifications: { title: string }[] }).__notifications,
          ),
        (n) => n.length > 0,
        10_000,
        'a notification for the finished background transfer',
      );
      assert.deepEqual(
        notes.map((n) => n.title),
        ['p2p-share: download complete'],
      );
      await setHidden(receiver, false);
      assert.notEqual(
        (await device(receiver)).wakeLock,
        'held',
        'wake lock released after the transfer',
      );

      // after: fits, save by tap, content intact
      await assertFits(receiver, 'receiver after');
      await assertFits(sender, 'sender after');
      await assertTappable(
        receiver,
        '[data-testid="file-row"][data-path="notes.txt"] [data-testid="save"]',
      );
      const { sha } = await saveAndHash(receiver, 'holiday-video-from-the-beach.mp4');
      assert.equal(sha, await sha256File(join(e2e.dir, 'holiday-video-from-the-beach.mp4')));
      const endShots = [
        await shot(sender, 'mobile-sender-after.png'),
        await shot(receiver, 'mobile-receiver-after.png'),
      ];

      // docs/screenshot-mobile.png: the two phones side by side, mid-transfer and done
      const strip = await e2e.page({
        context: { viewport: { width: 4 * WIDTH + 5 * 16, height: HEIGHT + 32 } },
      });
      const img = (b: Buffer) =>
        `<img src="data:image/png;base64,${b.toString('base64')}" width="${WIDTH}" height="${HEIGHT}">`;
      await strip.setContent(
        `<body style="margin:0;padding:16px;display:flex;gap:16px;background:#e5e7eb">${[...midShots, ...endShots].map(img).join('')}</body>`,
      );
      await strip.screenshot({ path: SCREENSHOT });
      await strip.context().close();
      console.log(
        `# mobile screenshots: ${SCREENSHOT} (sender, receiver mid-transfer; sender, receiver done)`,
      );
    });
  },
);
