/**
 * The layers of web/src, top to bottom (docs/ARCHITECTURE.md "Browser client" lists the same).
 * A folder may import only folders of a LOWER level, never its own level's siblings or anything
 * above. eslint.config.js turns this into import-x/no-restricted-paths zones and
 * scripts/check-cycles.mjs checks the resulting folder graph has no cycle.
 */
export const LAYERS = [
  ['ui'], // pages and widgets; the only folder that touches the DOM
  ['testing'], // the test-hook interface and its test-build installer; the unit-test kit
  ['app'], // sender and receiver sessions: wire signaling, mesh, transfer and storage together
  ['history', 'pwa'], // local transfer history; service worker set-up and registration
  ['analytics'], // opt-in report schema and consent
  ['storage'], // IndexedDB/OPFS file stores (adapters of transfer's PieceSink port)
  ['transfer'], // manifest, pieces, requests, picker, wire format, download/seed engines, QoS
  ['peer'], // RTCPeerConnection links and the mesh; owns the DataLink/LinkHealth port
  ['signaling'], // WebSocket client of the signaling protocol
  ['crypto'], // keys, AES-GCM, signatures, bytes
];

/** The level of a folder (0 = top), or undefined for a folder no layer names. */
export function levelOf(folder) {
  const i = LAYERS.findIndex((group) => group.includes(folder));
  return i < 0 ? undefined : i;
}

/** Folders a folder may not import: its level's siblings and every folder above. */
export function forbiddenFor(folder) {
  const level = levelOf(folder);
  return LAYERS.slice(0, level + 1)
    .flat()
    .filter((f) => f !== folder);
}
