/**
 * The anonymous transfer report POSTed to /api/analytics (docs/PROTOCOL.md, "Anonymous
 * analytics"): closed vocabularies and bounded whole numbers only — no room, peer, file name.
 */
export type Direction = 'send' | 'receive';
export type Outcome = 'completed' | 'partial' | 'failed';
export type Connection = 'direct' | 'stun' | 'relay' | 'unknown';
export type Browser = 'chromium' | 'firefox' | 'safari' | 'other';
export type SizeBucket = '<1MB' | '1-10MB' | '10-100MB' | '100MB-1GB' | '1-10GB' | '>10GB';

export interface AnalyticsReport {
  v: 1;
  direction: Direction;
  outcome: Outcome;
  sizeBucket: SizeBucket;
  durationMs: number;
  avgBps: number;
  peakBps: number;
  connection: Connection;
  errors: number;
  browser: Browser;
}

/** What the client knows about a finished transfer (a history entry has all of it). */
export interface TransferFigures {
  direction: Direction;
  status: Outcome;
  totalSize: number;
  durationMs: number;
  avgBps: number;
  peakBps: number;
  connection: Connection;
  errors: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;
const MAX_BPS = 12.5e9;
const MAX_ERRORS = 100_000;

/** Decimal megabytes, as the bucket names say. */
export function sizeBucket(bytes: number): SizeBucket {
  const MB = 1e6;
  if (!(bytes >= MB)) return '<1MB';
  if (bytes < 10 * MB) return '1-10MB';
  if (bytes < 100 * MB) return '10-100MB';
  if (bytes < 1000 * MB) return '100MB-1GB';
  if (bytes < 10_000 * MB) return '1-10GB';
  return '>10GB';
}

/** Browser family from the user agent (engine family; Chrome on iOS is WebKit → safari). */
export function browserFamily(ua: string): Browser {
  if (/CriOS|FxiOS|EdgiOS/.test(ua)) return 'safari';
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrome\/|Chromium\/|HeadlessChrome\/|Edg\/|OPR\//.test(ua)) return 'chromium';
  if (/Safari\//.test(ua) && /AppleWebKit\//.test(ua)) return 'safari';
  return 'other';
}

/** Selected candidate type (RTCIceCandidate.type) → the report's connection word. */
export function connectionFromCandidateType(type: string | undefined | null): Connection {
  switch (type) {
    case 'host':
      return 'direct';
    case 'srflx':
    case 'prflx':
      return 'stun';
    case 'relay':
      return 'relay';
    default:
      return 'unknown';
  }
}

function whole(n: number, max: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return Math.min(max, Math.round(n));
}

/** Durations and speeds keep this many significant digits: a trend, not a fingerprint. */
export const SIGNIFICANT_DIGITS = 2;

/** A whole number rounded to SIGNIFICANT_DIGITS (1234 → 1200, 4_056_789 → 4_100_000). */
export function coarse(n: number, max: number): number {
  const w = whole(n, Number.MAX_SAFE_INTEGER);
  if (w === 0) return 0;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(w)) + 1 - SIGNIFICANT_DIGITS);
  return Math.min(max, Math.round(w / step) * step);
}

export function buildReport(t: TransferFigures, userAgent: string): AnalyticsReport {
  // issue 14 finding 8: exact figures could tell one transfer from another; coarse ones cannot
  const avgBps = coarse(t.avgBps, MAX_BPS);
  const peakBps = Math.max(avgBps, coarse(t.peakBps, MAX_BPS));
  return {
    v: 1,
    direction: t.direction,
    outcome: t.status,
    sizeBucket: sizeBucket(t.totalSize),
    durationMs: coarse(t.durationMs, WEEK_MS),
    avgBps,
    peakBps,
    connection: t.connection,
    errors: whole(t.errors, MAX_ERRORS),
    browser: browserFamily(userAgent),
  };
}

/** Consent: unset until asked once; stored locally only. */
export type Consent = 'yes' | 'no' | null;
export const CONSENT_KEY = 'p2p-share.analytics';

export function readConsent(store: Pick<Storage, 'getItem'> | undefined): Consent {
  try {
    const v = store?.getItem(CONSENT_KEY);
    return v === 'yes' || v === 'no' ? v : null;
  } catch {
    return null;
  }
}

export function writeConsent(store: Pick<Storage, 'setItem'> | undefined, v: 'yes' | 'no'): void {
  try {
    store?.setItem(CONSENT_KEY, v);
  } catch {
    /* private mode: asked again next time */
  }
}

/** POSTs a report when (and only when) the user said yes. Returns whether it was sent. */
export async function sendReport(
  consent: Consent,
  report: AnalyticsReport,
  fetchFn: typeof fetch,
  url = '/api/analytics',
): Promise<boolean> {
  if (consent !== 'yes') return false;
  try {
    const r = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report),
      keepalive: true,
    });
    return r.ok;
  } catch {
    return false;
  }
}
