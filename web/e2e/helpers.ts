/** Page-level helpers for the e2e suite (test hooks: data-testid attributes, window.__p2p). */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  openSync,
  writeSync,
  closeSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import type { Fixture } from './fixture.js';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function writeRandomFile(path: string, size: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const chunk = 4 * 1024 * 1024;
  for (let done = 0; done < size; done += chunk)
    writeSync(fd, randomBytes(Math.min(chunk, size - done)));
  closeSync(fd);
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** The pages to dump when a poll times out. */
export type Watched = () => Page[];

/** Every page open in the browser `page` belongs to. */
export function browserPages(page: Page): Watched {
  return () =>
    page
      .context()
      .browser()
      ?.contexts()
      .flatMap((c) => c.pages()) ?? [page];
}

async function diagnose(watched: Watched): Promise<string> {
  const out: string[] = [];
  for (const p of watched()) {
    try {
      const d = await p.evaluate(() =>
        (window as unknown as { __p2p?: { session: { debug(): unknown } } }).__p2p?.session.debug(),
      );
      out.push(`${p.url().replace(/#.*/, '#…')} ${JSON.stringify(d)}`);
    } catch {
      /* closed */
    }
  }
  return out.join('\n');
}

export async function poll<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  ms: number,
  what: string,
  watched: Watched = () => [],
): Promise<T> {
  const t0 = Date.now();
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() - t0 > ms)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(v)}\n${await diagnose(watched)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

/** Opens the sender page, offers files (paths) through the file or folder input, returns the link. */
export async function offer(
  page: Page,
  base: string,
  files: string[] | string,
  input = 'file-input',
  query = '',
): Promise<string> {
  await page.goto(`${base}/${query}`);
  await page.getByTestId(input).setInputFiles(files);
  const link = page.getByTestId('share-link');
  await link.waitFor({ state: 'visible', timeout: 120_000 });
  await poll(
    () => link.inputValue(),
    (v) => v.includes('/r/') && v.includes('#'),
    120_000,
    'share link',
    browserPages(page),
  );
  return link.inputValue();
}

/** The ws URL of a node other than `notId` (so sender and receiver sit on different nodes). */
export async function otherNodeUrl(
  base: string,
  notId: string,
): Promise<{ id: string; url: string }> {
  const r = (await (await fetch(`${base}/api/nodes`)).json()) as {
    nodes: { id: string; url: string; state: string }[];
  };
  const n = r.nodes.find((x) => x.id !== notId && x.state === 'up');
  if (!n) throw new Error('no other node: ' + JSON.stringify(r));
  return n;
}

export function withQuery(link: string, query: string): string {
  const [a, frag] = link.split('#');
  return `${a}${a!.includes('?') ? '&' : '?'}${query}#${frag}`;
}

export interface RowInfo {
  name: string;
  path: string;
  size: number;
  bytes: number;
  state: string;
}

export async function rows(page: Page): Promise<RowInfo[]> {
  return page.$$eval('[data-testid="file-row"]', (els) =>
    els.map((e) => ({
      name: e.getAttribute('data-name') ?? '',
      path: e.getAttribute('data-path') ?? '',
      size: Number(e.getAttribute('data-size')),
      bytes: Number(e.getAttribute('data-bytes')),
      state: e.getAttribute('data-state') ?? '',
    })),
  );
}

export async function waitAllDone(page: Page, count: number, ms = 300_000): Promise<RowInfo[]> {
  return poll(
    () => rows(page),
    (r) => r.length === count && r.every((x) => x.state === 'done'),
    ms,
    'all files done',
    browserPages(page),
  );
}

export async function bodyNode(page: Page): Promise<string> {
  return poll(
    () => page.evaluate(() => document.body.getAttribute('data-node') ?? ''),
    (v) => v !== '',
    60_000,
    'body data-node',
    browserPages(page),
  );
}

/** Clicks `save` in the row of `path`, returns the downloaded file's SHA-256 and suggested name. */
export async function saveAndHash(
  page: Page,
  path: string,
): Promise<{ sha: string; name: string }> {
  const row = page.locator(`[data-testid="file-row"][data-path="${path}"]`);
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    row.getByTestId('save').click(),
  ]);
  const p = await dl.path();
  return { sha: await sha256File(p), name: dl.suggestedFilename() };
}

export async function stats(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => ({
    ...(window as unknown as { __p2p: { stats: Record<string, number> } }).__p2p.stats,
  }));
}

// ------------------------------------------------------------------------------ linking

/** A link not having gathered one local ICE candidate after this long counts as stuck. */
export const GATHER_DEADLINE_MS = 10_000;
/** How long a pair may take to open its data channel. */
export const LINK_DEADLINE_MS = 30_000;

/** Per link of a page (window.__p2p.session.debug().links, peer/mesh.ts). */
export interface LinkState {
  channel: string;
  gathering: string;
  ageMs: number;
  sent: number;
  dropped: number;
}

export async function linkStates(page: Page): Promise<LinkState[]> {
  return page
    .evaluate(() => {
      const s = (window as unknown as { __p2p?: { session?: { debug?(): { links?: unknown } } } })
        .__p2p?.session;
      const links = s?.debug?.().links;
      return Array.isArray(links) ? (links as LinkState[]) : [];
    })
    .catch(() => []);
}

/** The flake: a link that gathered no local candidate at all within GATHER_DEADLINE_MS. */
export function stuckGathering(links: LinkState[]): boolean {
  return links.some(
    (l) =>
      l.channel !== 'open' &&
      l.gathering !== 'complete' &&
      l.sent + l.dropped === 0 &&
      l.ageMs > GATHER_DEADLINE_MS,
  );
}

export async function hasOpenChannel(page: Page): Promise<boolean> {
  return (await linkStates(page)).some((l) => l.channel === 'open');
}

/**
 * Waits until every page has an open data channel. Fails fast (after GATHER_DEADLINE_MS instead
 * of `ms`) when a page's link gathered no local ICE candidate (web/README.md, "ICE gathering").
 */
export async function waitChannels(pages: Page[], ms = LINK_DEADLINE_MS): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const states = await Promise.all(pages.map(linkStates));
    if (states.every((ls) => ls.some((l) => l.channel === 'open'))) return;
    const stuck = states.findIndex(stuckGathering);
    if (stuck >= 0)
      throw new Error(
        `page ${stuck} gathered no local ICE candidate in ${GATHER_DEADLINE_MS} ms: ` +
          JSON.stringify(states[stuck]),
      );
    if (Date.now() - t0 > ms)
      throw new Error(`no data channel within ${ms} ms: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sets up pages (`open`) and waits for the data channels of those `linkedPages` names. */
export async function withLinkedPages<T>(
  open: () => Promise<T>,
  linkedPages: (t: T) => Page[],
  ms = LINK_DEADLINE_MS,
): Promise<T> {
  const t = await open();
  await waitChannels(linkedPages(t), ms);
  return t;
}

export interface PairOptions {
  /** sender's input test id (file-input | folder-input) */
  input?: string;
  /** query string for the sender page, e.g. '?plain=1' */
  senderQuery?: string;
  /** extra query for the receiver link, e.g. 'rate=1000' */
  recvQuery?: string;
  /** put the receiver on another signaling node than the sender (default true) */
  otherNode?: boolean;
  /** options for both pages' contexts (viewport, isMobile, ...) */
  context?: BrowserContextOptions;
  /** runs on each new page before it navigates (init scripts, listeners) */
  setup?: (page: Page, role: 'sender' | 'receiver') => unknown;
}

export interface Pair {
  sender: Page;
  receiver: Page;
  /** the share link as shown to the sender (with the key: never log it) */
  link: string;
}

/** Sender offers `files`, a receiver opens the link (on the other node). */
export async function openPair(
  e2e: Fixture,
  files: string[] | string,
  opts: PairOptions = {},
): Promise<Pair> {
  const page = async (role: 'sender' | 'receiver') => {
    const p = await e2e.page({ context: opts.context, label: role });
    await opts.setup?.(p, role);
    return p;
  };
  const sender = await page('sender');
  const link = await offer(sender, e2e.base, files, opts.input, opts.senderQuery ?? '');
  const q: string[] = [];
  if (opts.otherNode !== false) {
    const other = await otherNodeUrl(e2e.base, await bodyNode(sender));
    q.push(`node=${encodeURIComponent(other.url)}`);
  }
  if (opts.recvQuery) q.push(opts.recvQuery);
  const receiver = await page('receiver');
  await receiver.goto(q.length ? withQuery(link, q.join('&')) : link);
  return { sender, receiver, link };
}

/** openPair with its data channel up. */
export async function linkedPair(
  e2e: Fixture,
  files: string[] | string,
  opts: PairOptions = {},
): Promise<Pair> {
  return withLinkedPages(
    () => openPair(e2e, files, opts),
    (p) => [p.sender, p.receiver],
  );
}

/** Candidate types (local/remote) of the selected pair of each open link of a page (getStats). */
export async function selectedCandidateTypes(
  page: Page,
): Promise<{ local: string; remote: string }[]> {
  return page.evaluate(async () => {
    type Links = Map<string, { pc: RTCPeerConnection; dc: RTCDataChannel }>;
    const s = (window as unknown as { __p2p: { session: { mesh: { links: Links } | null } } })
      .__p2p;
    const out: { local: string; remote: string }[] = [];
    for (const l of s.session.mesh?.links.values() ?? []) {
      if (l.dc.readyState !== 'open') continue;
      const st = await l.pc.getStats();
      st.forEach((r: Record<string, unknown>) => {
        if (r.type !== 'transport' || typeof r.selectedCandidatePairId !== 'string') return;
        const p = st.get(r.selectedCandidatePairId) as Record<string, string> | undefined;
        const a = p && (st.get(p.localCandidateId!) as { candidateType?: string } | undefined);
        const b = p && (st.get(p.remoteCandidateId!) as { candidateType?: string } | undefined);
        out.push({ local: a?.candidateType ?? '?', remote: b?.candidateType ?? '?' });
      });
    }
    return out;
  });
}

/** The per-peer health lines of a page (data-testid="peer-health"). */
export async function healthLines(
  page: Page,
): Promise<{ peer: string; path: string; rtt: string; degraded: string }[]> {
  return page.$$eval('[data-testid="peer-health"]', (els) =>
    els.map((e) => ({
      peer: e.getAttribute('data-peer') ?? '',
      path: e.getAttribute('data-path') ?? '',
      rtt: e.getAttribute('data-rtt') ?? '',
      degraded: e.getAttribute('data-degraded') ?? '',
    })),
  );
}
