/**
 * TEST BUILD ONLY (imported behind `__TEST_BUILD__`): reads the test switches from the query
 * string and the globals the e2e suites inject, and publishes page objects on window.
 */
import type { TestHooks } from './hooks';

type TestGlobals = Record<string, unknown> & {
  __P2P_LOOPBACK_ONLY?: boolean;
  __P2P_FORCE_RELAY?: boolean;
  __P2P_DIRECT_FIRST?: boolean;
};

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Seq a forger's manifest starts from: above any honest sender's. */
const FORGED_SEQ = 1000;

export function readTestHooks(search: string, win: object, hash = ''): TestHooks {
  const params = new URLSearchParams(search);
  const g = win as TestGlobals;
  const storage = params.get('storage');
  const corrupt = Number(params.get('corruptSend') ?? 0);
  const forgeRoom = params.get('forge');
  const forgeKey = hash.replace(/^#/, '').split('.')[0];
  return {
    forge: forgeRoom && forgeKey ? { room: forgeRoom, key: forgeKey, seq: FORGED_SEQ } : undefined,
    nodeUrl: params.get('node'),
    plain: params.get('plain') === '1',
    storage: storage === 'idb' || storage === 'opfs' ? storage : undefined,
    quota: num(params.get('quota')),
    rate: num(params.get('rate')),
    loopbackOnly: params.get('loopback') === '1' || g.__P2P_LOOPBACK_ONLY === true,
    forceRelay: params.get('relay') === '1' || g.__P2P_FORCE_RELAY === true,
    directFirst: params.get('relay') === '0' || g.__P2P_DIRECT_FIRST === true,
    hashHold: num(params.get('hashHold')),
    corruptSentPieces: Number.isInteger(corrupt) && corrupt > 0 ? corrupt : 0,
    exposePage: (page) => {
      g.__p2p = page;
    },
    exposeHistory: (history) => {
      g.__p2pHistory = history;
    },
  };
}
