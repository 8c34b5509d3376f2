// How far OPFS takes writes in this Chromium: writes `--gib` GiB in 16 MiB blocks through a
// FileSystemSyncAccessHandle in a worker, in an off-the-record context (what browser.newContext()
// gives) or with --persistent in a profile on disk, and prints where the first bad write happened.
// Off-the-record, Chromium's in-memory file system stops at about 1.3 GB and write() then returns
// 4,294,967,288 (FILE_ERROR_NO_SPACE, -8, as u32) instead of throwing (docs/BENCHMARKS.md, issue 15).
// Usage: node opfs-probe.mjs [--gib 4] [--persistent]
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARGS = JSON.parse(readFileSync(join(HERE, '..', '..', 'web', 'e2e', 'chromium-args.json'), 'utf8'));
const argv = process.argv.slice(2);
const GIB = Number(argv[argv.indexOf('--gib') + 1] || 4);
const PERSISTENT = argv.includes('--persistent');
const WORKER = `onmessage = async (ev) => {
  const total = ev.data;
  const d = await navigator.storage.getDirectory();
  const h = await (await d.getFileHandle('probe', { create: true })).createSyncAccessHandle();
  const buf = new Uint8Array(16 * 1024 * 1024);
  let at = 0;
  try {
    while (at < total) {
      const n = h.write(buf, { at });
      if (n !== buf.length) { postMessage({ badWrite: n, at, size: h.getSize() }); break; }
      at += n;
    }
    h.flush();
    postMessage({ written: at });
  } catch (e) { postMessage({ threw: e.name + ': ' + e.message, at }); }
  h.close();
};`;
const srv = createServer((q, r) => {
  r.setHeader('content-type', q.url === '/w.js' ? 'text/javascript' : 'text/html');
  r.end(q.url === '/w.js' ? WORKER : '<!doctype html><title>probe</title>');
});
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${srv.address().port}/`;
const dir = mkdtempSync(join(tmpdir(), 'opfs-probe-'));
const opts = { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS, headless: true };
const browser = PERSISTENT ? null : await chromium.launch(opts);
const ctx = PERSISTENT ? await chromium.launchPersistentContext(dir, opts) : await browser.newContext();
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url);
  const quota = await page.evaluate(async () => (await navigator.storage.estimate()).quota);
  const t0 = Date.now();
  const r = await page.evaluate(
    (total) => new Promise((res) => {
      const w = new Worker('/w.js');
      const out = [];
      w.onmessage = (e) => { out.push(e.data); if ('written' in e.data || 'threw' in e.data) res(out); };
      w.postMessage(total);
    }),
    GIB * 1024 ** 3,
  );
  console.log(JSON.stringify({ context: PERSISTENT ? 'persistent profile' : 'off-the-record', gib: GIB, quota, result: r, secs: (Date.now() - t0) / 1000 }));
} finally {
  await (browser ?? ctx).close();
  rmSync(dir, { recursive: true, force: true });
  srv.close();
}
