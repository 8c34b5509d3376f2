/**
 * What went wrong on the way to a signaling node, in words a user can act on. A browser tells a
 * page nothing about a refused WebSocket (a 403 for a foreign Origin looks exactly like a dead
 * host: close code 1006), so a socket that closes before it opens is diagnosed with one extra
 * request: a node whose HTTP port answers refused us; one that does not answer is unreachable.
 */
import { ApiError } from './api';

export type SignalingProblemCode =
  | 'signaling-refused'
  | 'signaling-unreachable'
  | 'signaling-insecure'
  | 'signaling-no-node'
  | 'signaling-rate-limited'
  | 'signaling-server-unreachable'
  | 'signaling-server-error';

export interface SignalingProblem {
  code: SignalingProblemCode;
  message: string;
}

/** How long the reachability probe of a node may take before the node counts as unreachable. */
export const PROBE_TIMEOUT_MS = 4000;

const RETRYING = 'Retrying every few seconds.';

/** The page's own location, as far as the messages need it. */
export interface PageLocation {
  protocol: string; // 'http:' | 'https:'
  hostname: string;
  origin: string;
}

const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/** The node's HTTP(S) health URL for its WebSocket URL (same host and port). */
export function healthUrlOf(wsUrl: string): string | null {
  try {
    const u = new URL(wsUrl);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return null;
    return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/healthz`;
  } catch {
    return null;
  }
}

/** A WebSocket URL the page may not open at all (mixed content) — known before trying. */
export function insecureProblem(wsUrl: string, page: PageLocation): SignalingProblem | null {
  if (page.protocol === 'https:' && wsUrl.startsWith('ws:')) {
    return {
      code: 'signaling-insecure',
      message:
        `This page was opened over HTTPS, but the signaling server's address (${wsUrl}) is not ` +
        'encrypted, and browsers refuse that. The operator must give the nodes a wss:// PUBLIC_URL ' +
        '(docs/OPERATIONS.md).',
    };
  }
  return null;
}

/** The problem of a socket to `wsUrl` that closed before it opened; `reachable` = probe result. */
export function socketProblem(
  wsUrl: string,
  reachable: boolean,
  page: PageLocation,
): SignalingProblem {
  const insecure = insecureProblem(wsUrl, page);
  if (insecure) return insecure;
  let host = wsUrl;
  let nodeHost = '';
  try {
    const u = new URL(wsUrl);
    host = u.host;
    nodeHost = u.hostname;
  } catch {
    /* keep the text */
  }
  if (reachable) {
    return {
      code: 'signaling-refused',
      message:
        `The signaling server ${host} refused this page (${page.origin}). It accepts only pages ` +
        'from its own addresses or its ALLOWED_ORIGINS. Open p2p-share at the address its ' +
        'operator gave you, or, if you run it, add this origin to ALLOWED_ORIGINS on the nodes. ' +
        RETRYING,
    };
  }
  if (isLoopbackHost(nodeHost) && !isLoopbackHost(page.hostname)) {
    return {
      code: 'signaling-unreachable',
      message:
        `The signaling server is advertised as ${host}, which on this device means this device ` +
        'itself. Whoever runs p2p-share must start the nodes with a PUBLIC_URL that other devices ' +
        'can reach (docs/OPERATIONS.md, "Local network"). ' +
        RETRYING,
    };
  }
  return {
    code: 'signaling-unreachable',
    message:
      `Cannot reach the signaling server ${host}. Check that this device is on the same network ` +
      `as the server and that no firewall blocks port ${portOf(wsUrl)}. ${RETRYING}`,
  };
}

/**
 * The problem of a failed request to the balancer (GET /api/rooms/{id}, POST /api/rooms);
 * `then` = what happens next (the signaling client retries by itself; a room creation does not).
 */
export function balancerProblem(
  e: unknown,
  page: PageLocation,
  then: string = RETRYING,
): SignalingProblem {
  if (e instanceof ApiError) {
    if (e.status === 503)
      return {
        code: 'signaling-no-node',
        message:
          'The server has no signaling node available right now (the cluster is starting, ' +
          `restarting or draining). ${then} If this lasts, start a node or tell the operator.`,
      };
    if (e.status === 429)
      return {
        code: 'signaling-rate-limited',
        message: `The server is limiting requests from your address. ${then}`,
      };
    return {
      code: 'signaling-server-error',
      message: `The server answered ${e.status} (${e.code}: ${e.message}). ${then}`,
    };
  }
  return {
    code: 'signaling-server-unreachable',
    message:
      `Cannot reach the p2p-share server at ${page.origin}. Check this device's network ` +
      `connection, and that the server is still running. ${then}`,
  };
}

function portOf(wsUrl: string): string {
  try {
    const u = new URL(wsUrl);
    return u.port || (u.protocol === 'wss:' ? '443' : '80');
  } catch {
    return '?';
  }
}

/** true when the node's HTTP port answers at all (any status, even opaque). */
export async function probeNode(wsUrl: string): Promise<boolean> {
  const url = healthUrlOf(wsUrl);
  if (!url) return false;
  try {
    await fetch(url, {
      mode: 'no-cors',
      cache: 'no-store',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return true;
  } catch {
    return false;
  }
}

/** The SignalingClient's `problems` dependency for a page at `page` (the browser's location). */
export function browserProblems(page: PageLocation) {
  return {
    socket: async (url: string): Promise<SignalingProblem> =>
      insecureProblem(url, page) ?? socketProblem(url, await probeNode(url), page),
    balancer: (e: unknown): SignalingProblem => balancerProblem(e, page),
  };
}
