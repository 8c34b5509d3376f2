/**
 * The one set-up every e2e file shares: a temporary directory, a real cluster (e2e/cluster.ts),
 * one headless Chromium (e2e/browser.ts), contexts granted ['camera','microphone'], pages with
 * their errors logged, a poll whose time-out dumps this fixture's pages, and teardown.
 *
 *   const e2e = useFixture({ name: 'swarm', prepare: (dir) => writeRandomFile(...) });
 *   test('…', async () => { const p = await e2e.page(); … await e2e.closeAll(); });
 *
 * `useFixture` registers node:test `before`/`after` hooks where it is called (module level or
 * inside a `describe`, so a skipped suite starts nothing). State belongs to the fixture object:
 * nothing is kept in module globals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launch, newContext } from './browser.js';
import { type Cluster, type ClusterOptions, startCluster } from './cluster.js';
import { poll } from './helpers.js';

export type { ClusterOptions };

/** How the fixture's Chromium is launched (defaults: browser.ts). */
export interface BrowserOptions {
  /** the executable, e.g. a launcher into a network namespace (netns.ts) */
  executablePath?: string;
  /** flags added to the suite's own */
  args?: string[];
}

export interface FixtureOptions {
  /** names the temporary directory (`p2p-<name>-…`) */
  name: string;
  /** runs once the directory exists, before the cluster starts (test files, coturn, …) */
  prepare?: (dir: string) => unknown;
  /** cluster options; a function is called after `prepare` (env may depend on it) */
  cluster?: ClusterOptions | (() => ClusterOptions);
  /** browser options; a function is called after `prepare` */
  browser?: BrowserOptions | (() => BrowserOptions);
}

export interface PageOptions {
  /** options for the page's own new context (viewport, isMobile, …) */
  context?: BrowserContextOptions;
  /** prefix of the page's logged errors */
  label?: string;
}

export class Fixture {
  private state: { dir: string; cluster?: Cluster; browser?: Browser } | null = null;
  /** contexts opened by this fixture and not closed yet */
  private readonly contexts: BrowserContext[] = [];

  constructor(private readonly options: FixtureOptions) {}

  get dir(): string {
    return this.ready().dir;
  }
  get cluster(): Cluster {
    const c = this.ready().cluster;
    if (!c) throw new Error('fixture: the cluster is not started yet');
    return c;
  }
  get browser(): Browser {
    const b = this.ready().browser;
    if (!b) throw new Error('fixture: the browser is not launched yet');
    return b;
  }
  /** The balancer's URL (serves the client, assigns rooms). */
  get base(): string {
    return this.cluster.base;
  }

  async start(): Promise<void> {
    this.state = { dir: mkdtempSync(join(tmpdir(), `p2p-${this.options.name}-`)) };
    await this.options.prepare?.(this.state.dir);
    const c = this.options.cluster;
    this.state.cluster = await startCluster(typeof c === 'function' ? c() : c);
    const b = this.options.browser;
    const bo = (typeof b === 'function' ? b() : b) ?? {};
    this.state.browser = await launch(bo.executablePath, bo.args);
  }

  /** A new context with the media permissions (browser.ts newContext), closed by closeAll. */
  async context(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const ctx = await newContext(this.browser, this.base, options);
    this.contexts.push(ctx);
    ctx.once('close', () => {
      const i = this.contexts.indexOf(ctx);
      if (i >= 0) this.contexts.splice(i, 1);
    });
    return ctx;
  }

  /** A page in `ctx` whose page errors and console errors are logged. */
  async open(ctx: BrowserContext, label = ''): Promise<Page> {
    const p = await ctx.newPage();
    const tag = label ? ` ${label}` : '';
    p.on('pageerror', (e) => console.log(`[pageerror${tag}]`, e.message));
    p.on('console', (m) => {
      if (m.type() === 'error') console.log(`[console.error${tag}]`, m.text());
    });
    return p;
  }

  /** A page in a context of its own. */
  async page(options: PageOptions = {}): Promise<Page> {
    return this.open(await this.context(options.context), options.label);
  }

  /** Closes the page's context. */
  async close(page: Page): Promise<void> {
    await page.context().close();
  }

  /** Every page this fixture has open (dumped when a poll times out). */
  pages(): Page[] {
    return this.contexts.flatMap((c) => c.pages());
  }

  /** Closes every context opened so far (tests end with it: fewer live peer connections). */
  async closeAll(): Promise<void> {
    while (this.contexts.length)
      await this.contexts
        .pop()!
        .close()
        .catch(() => {});
  }

  /** helpers.poll with this fixture's pages in the time-out's dump. */
  poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
    return poll(fn, ok, ms, what, () => this.pages());
  }

  async stop(): Promise<void> {
    const s = this.state;
    if (!s) return;
    await this.closeAll();
    await s.browser?.close().catch(() => {});
    await s.cluster?.stop();
    rmSync(s.dir, { recursive: true, force: true });
    this.state = null;
  }

  private ready(): { dir: string; cluster?: Cluster; browser?: Browser } {
    if (!this.state) throw new Error('fixture: not started (use it inside a test)');
    return this.state;
  }
}

/** A fixture started in `before` and stopped in `after` of the enclosing suite (or file). */
export function useFixture(options: FixtureOptions): Fixture {
  const f = new Fixture(options);
  before(() => f.start());
  after(() => f.stop());
  return f;
}
