/**
 * The one typed interface through which tests steer a page. Only the test build
 * (`vite build --mode test`, `__TEST_BUILD__`) installs real hooks (src/testing/install.ts); the
 * default build gets NO_TEST_HOOKS, and the reader with its query parameters and window globals
 * is tree-shaken out of it.
 */
export interface TestHooks {
  /** ?node=<wsUrl>: first signaling connection goes there instead of the balancer's choice */
  nodeUrl: string | null;
  /** ?plain=1 (sender): no encryption, no hashing (measurements only) */
  plain: boolean;
  /** ?storage=idb|opfs (receiver) */
  storage: 'idb' | 'opfs' | undefined;
  /** ?quota=<bytes> (receiver): pretend this much space is free */
  quota: number | undefined;
  /** ?rate=<bytes/s> (receiver): cap the download rate */
  rate: number | undefined;
  /** ?loopback=1 or window.__P2P_LOOPBACK_ONLY: loopback ICE candidates only */
  loopbackOnly: boolean;
  /** ?relay=1 or window.__P2P_FORCE_RELAY: relay-only ICE */
  forceRelay: boolean;
  /** ?relay=0 or window.__P2P_DIRECT_FIRST: TURN only for the relay fallback */
  directFirst: boolean;
  /**
   * ?hashHold=<n> (sender): publish at most n piece hashes per file until the test calls
   * `__p2p.session.releaseHashing()` (a sender whose hashing is slow, deterministically)
   */
  hashHold: number | undefined;
  /** ?corruptSend=<n>: corrupt every block of the next n pieces this page serves */
  corruptSentPieces: number;
  /**
   * ?forge=<room>#<content key>: the sender page joins that existing room with the link's content
   * key but its own signing key and a high manifest seq (a key holder forging manifests)
   */
  forge: { room: string; key: string; seq: number } | undefined;
  /** Publishes the page's session, stats and helpers for tests (the test build: window.__p2p). */
  exposePage(page: unknown): void;
  /** Publishes the history service for tests (the test build: window.__p2pHistory). */
  exposeHistory(history: unknown): void;
}

/** The production hooks: nothing steerable, nothing exposed. */
export const NO_TEST_HOOKS: TestHooks = {
  nodeUrl: null,
  plain: false,
  storage: undefined,
  quota: undefined,
  rate: undefined,
  loopbackOnly: false,
  forceRelay: false,
  directFirst: false,
  corruptSentPieces: 0,
  hashHold: undefined,
  forge: undefined,
  exposePage: () => {},
  exposeHistory: () => {},
};
