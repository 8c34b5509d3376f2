import { describe, expect, it, vi } from 'vitest';
import {
  browserFamily,
  coarse,
  buildReport,
  connectionFromCandidateType,
  readConsent,
  sendReport,
  sizeBucket,
  writeConsent,
  type TransferFigures,
} from './report';

const FIELDS = [
  'avgBps',
  'browser',
  'connection',
  'direction',
  'durationMs',
  'errors',
  'outcome',
  'peakBps',
  'sizeBucket',
  'v',
];

const base: TransferFigures = {
  direction: 'receive',
  status: 'completed',
  totalSize: 5_000_000,
  durationMs: 1234.6,
  avgBps: 4_000_000.4,
  peakBps: 6_000_000.7,
  connection: 'direct',
  errors: 1,
};

describe('analytics report', () => {
  it('coarsens durations and speeds to two significant digits (issue 14 finding 8)', () => {
    const r = buildReport(
      { ...base, durationMs: 83_456.7, avgBps: 12_345_678, peakBps: 12_999_999 },
      '',
    );
    expect(r.durationMs).toBe(83_000);
    expect(r.avgBps).toBe(12_000_000);
    expect(r.peakBps).toBe(13_000_000);
    expect(coarse(7, 100)).toBe(7);
    expect(coarse(0.4, 100)).toBe(0);
    expect(coarse(995, 10_000)).toBe(1000);
  });

  it('has exactly the schema fields, whole numbers, closed words', () => {
    const r = buildReport(
      base,
      'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0 Safari/537.36',
    );
    expect(Object.keys(r).sort()).toEqual(FIELDS);
    expect(r).toEqual({
      v: 1,
      direction: 'receive',
      outcome: 'completed',
      sizeBucket: '1-10MB',
      durationMs: 1200,
      avgBps: 4_000_000,
      peakBps: 6_000_000,
      connection: 'direct',
      errors: 1,
      browser: 'chromium',
    });
    // nothing identifying slips through even if the input object carries more
    const r2 = buildReport(
      { ...base, room: 'abc', files: ['secret.txt'] } as unknown as TransferFigures,
      '',
    );
    expect(Object.keys(r2).sort()).toEqual(FIELDS);
    expect(JSON.stringify(r2)).not.toContain('secret');
  });

  it('clamps: peak ≥ avg, bounds, non-finite → 0', () => {
    const r = buildReport({ ...base, avgBps: 10, peakBps: 3, durationMs: 1e12, errors: -5 }, 'x');
    expect(r.peakBps).toBe(10);
    expect(r.durationMs).toBe(7 * 24 * 3600 * 1000);
    expect(r.errors).toBe(0);
    const z = buildReport({ ...base, avgBps: NaN, peakBps: Infinity }, 'x');
    expect(z.avgBps).toBe(0);
    expect(z.peakBps).toBe(0);
  });

  it('size buckets (decimal MB)', () => {
    expect(sizeBucket(0)).toBe('<1MB');
    expect(sizeBucket(999_999)).toBe('<1MB');
    expect(sizeBucket(1_000_000)).toBe('1-10MB');
    expect(sizeBucket(10_000_000)).toBe('10-100MB');
    expect(sizeBucket(200 * 1024 * 1024)).toBe('100MB-1GB');
    expect(sizeBucket(5e9)).toBe('1-10GB');
    expect(sizeBucket(1e10)).toBe('>10GB');
  });

  it('browser family from the user agent', () => {
    expect(
      browserFamily(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36',
      ),
    ).toBe('chromium');
    expect(
      browserFamily('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'),
    ).toBe('firefox');
    expect(
      browserFamily(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
      ),
    ).toBe('safari');
    expect(
      browserFamily(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/141.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('safari');
    expect(browserFamily('curl/8')).toBe('other');
  });

  it('connection from the selected candidate type', () => {
    expect(connectionFromCandidateType('host')).toBe('direct');
    expect(connectionFromCandidateType('srflx')).toBe('stun');
    expect(connectionFromCandidateType('prflx')).toBe('stun');
    expect(connectionFromCandidateType('relay')).toBe('relay');
    expect(connectionFromCandidateType(undefined)).toBe('unknown');
  });

  it('consent: unset by default, stored, and gates sending', async () => {
    const m = new Map<string, string>();
    const store = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
    };
    expect(readConsent(store)).toBeNull();
    const f = vi.fn(async () => new Response(null, { status: 204 }));
    const report = buildReport(base, 'x');
    expect(await sendReport(readConsent(store), report, f as unknown as typeof fetch)).toBe(false);
    writeConsent(store, 'no');
    expect(await sendReport(readConsent(store), report, f as unknown as typeof fetch)).toBe(false);
    expect(f).not.toHaveBeenCalled();
    writeConsent(store, 'yes');
    expect(await sendReport(readConsent(store), report, f as unknown as typeof fetch)).toBe(true);
    expect(f).toHaveBeenCalledTimes(1);
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/analytics');
    expect(JSON.parse(init.body as string)).toEqual(report);
  });
});
