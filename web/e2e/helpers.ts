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
import type { Page } from 'playwright-core';

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

/** Pages whose state is dumped when a poll times out (set by the suite). */
export const watched: Page[] = [];

async function diagnose(): Promise<string> {
  const out: string[] = [];
  for (const p of watched) {
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
): Promise<T> {
  const t0 = Date.now();
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() - t0 > ms)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(v)}\n${await diagnose()}`,
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
  );
}

export async function bodyNode(page: Page): Promise<string> {
  return poll(
    () => page.evaluate(() => document.body.getAttribute('data-node') ?? ''),
    (v) => v !== '',
    60_000,
    'body data-node',
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
