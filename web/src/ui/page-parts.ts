/** Pieces both pages use: header, error banner, peer badge, the render scheduler, save-as. */
import { download, h } from './dom';

declare global {
  interface Window {
    showSaveFilePicker?: (opts: { suggestedName?: string }) => Promise<FileSystemFileHandle>;
  }
}

export function header(sub: string) {
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'logo', href: '/' }, h('span', { class: 'dot' }), 'p2p-share'),
    h('span', { class: 'tag', text: sub }),
  );
}

export function errorBanner() {
  const el = h('div', { class: 'error', 'data-testid': 'error', role: 'alert', hidden: true });
  return {
    el,
    show(code: string, message: string) {
      el.setAttribute('data-code', code);
      el.textContent = message;
      el.hidden = false;
    },
    hide() {
      el.hidden = true;
      el.removeAttribute('data-code');
    },
  };
}

export function peerBadge() {
  const count = h('span', { 'data-testid': 'peer-count', text: '0' });
  const node = h('span', { class: 'muted' });
  const label = h('span', { text: ' peers ' });
  return {
    el: h('div', { class: 'peers' }, h('span', { class: 'pulse' }), count, label, node),
    node,
    set(n: number) {
      count.textContent = String(n);
      label.textContent = n === 1 ? ' peer ' : ' peers ';
    },
  };
}

export function setNode(id: string | null | undefined) {
  if (id) document.body.setAttribute('data-node', id);
}

/** The page renders at most this often, however many blocks and pieces change the model. */
export const RENDER_MIN_INTERVAL_MS = 250;
/** ...and at least this often (speeds and time left move without a change). */
export const RENDER_IDLE_INTERVAL_MS = 1000;

export function scheduler(render: () => void) {
  let queued = false;
  let last = 0;
  const run = () => {
    queued = false;
    last = performance.now();
    render();
  };
  const kick = () => {
    if (queued) return;
    queued = true;
    const wait = last + RENDER_MIN_INTERVAL_MS - performance.now();
    if (wait <= 0) requestAnimationFrame(run);
    else setTimeout(() => requestAnimationFrame(run), wait);
  };
  setInterval(() => {
    if (!queued && performance.now() - last >= RENDER_IDLE_INTERVAL_MS) run();
  }, RENDER_IDLE_INTERVAL_MS);
  return kick;
}

export async function saveWithPicker(blob: Blob, name: string) {
  if (!window.showSaveFilePicker) return download(blob, name);
  try {
    const fh = await window.showSaveFilePicker({ suggestedName: name });
    const w = await (
      fh as unknown as { createWritable(): Promise<WritableStream> }
    ).createWritable();
    await blob.stream().pipeTo(w);
  } catch {
    /* user cancelled */
  }
}
