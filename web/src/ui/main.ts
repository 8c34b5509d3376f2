/**
 * The page: `/` is the sender, `/r/<room>#<key>` the receiver.
 * Test switches (?node, ?plain, ?storage, ?quota, ?rate, ?loopback, ?relay, ?corruptSend,
 * the page objects tests read) exist only in the test build: see testing/hooks.ts.
 */
import './style.css';
import { downloadZip } from 'client-zip';
import QRCode from 'qrcode';
import { setDirectFirst, setForceRelay, setLoopbackOnly } from '../peer/peer';
import { ReceiverSession } from '../app/receiver';
import { uploadScheduler } from '../transfer/qos';
import { SenderSession } from '../app/sender';
import { download, formatBytes, formatEta, h, Speedometer } from './dom';
import { fromDrop, fromInput } from './pick';
import { RowList, type RowModel } from './rows';
import { seedToggle } from './seed';
import { hooks } from './hooks';
import { mountHistory } from './history-view';
import { UploadQosControls } from './qos';
import { onResume, TransferDevice } from './device';
import { HealthLines } from './health';
import { ConnectionBanner, loopbackLinkHint } from './connection';
import { balancerProblem } from '../signaling/problems';
import { installSubtleFallback } from '../crypto/fallback';

// http://<LAN address> is not a secure context: no crypto.subtle there without the fallback
installSubtleFallback();

setLoopbackOnly(hooks.loopbackOnly);
setForceRelay(hooks.forceRelay);
setDirectFirst(hooks.directFirst);
const overrideUrl = hooks.nodeUrl;
const app = document.getElementById('app')!;

declare global {
  interface Window {
    showSaveFilePicker?: (opts: { suggestedName?: string }) => Promise<FileSystemFileHandle>;
  }
}

function header(sub: string) {
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'logo', href: '/' }, h('span', { class: 'dot' }), 'p2p-share'),
    h('span', { class: 'tag', text: sub }),
  );
}

function errorBanner() {
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

function peerBadge() {
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

function setNode(id: string | null | undefined) {
  if (id) document.body.setAttribute('data-node', id);
}

/** The page renders at most this often, however many blocks and pieces change the model. */
const RENDER_MIN_INTERVAL_MS = 250;
/** ...and at least this often (speeds and time left move without a change). */
const RENDER_IDLE_INTERVAL_MS = 1000;

function scheduler(render: () => void) {
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

async function saveWithPicker(blob: Blob, name: string) {
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

// ---------------------------------------------------------------- sender
const RETRY_BY_CHOOSING = 'Choose your files again to retry.';

function senderPage() {
  const render = () => doRender();
  const kick = scheduler(render);
  const s = new SenderSession({
    plain: hooks.plain,
    existing: hooks.forge,
    holdHashesAt: hooks.hashHold,
    onChange: () => kick(),
  });
  s.stats.corruptSentPieces = hooks.corruptSentPieces;
  const device = new TransferDevice('p2p-share: files sent', 'A receiver has all your files.');
  const page = {
    role: 'sender',
    stats: s.stats,
    session: s,
    qos: uploadScheduler,
    device,
  } as const;
  hooks.exposePage(page);
  // leave the room at once (instead of lingering for the resume window) when the tab goes away
  window.addEventListener('pagehide', () => s.sig?.stop());
  onResume(() => {
    s.sig?.wake();
    s.mesh?.wake();
  });
  const err = errorBanner();
  const conn = new ConnectionBanner();
  const peers = peerBadge();
  const health = new HealthLines();

  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    'data-testid': 'file-input',
    class: 'visually-hidden',
    id: 'file-input',
  });
  const folderInput = h('input', {
    type: 'file',
    'data-testid': 'folder-input',
    class: 'visually-hidden',
    id: 'folder-input',
  });
  folderInput.setAttribute('webkitdirectory', '');
  folderInput.setAttribute('directory', '');

  let started: Promise<void> | null = null;
  const offer = async (files: ReturnType<typeof fromInput>) => {
    if (files.length === 0) return;
    started ??= s.start(overrideUrl).then(
      () => {
        err.hide();
        s.sig?.on('problem', kick);
      },
      (e: unknown) => {
        err.show(
          'signaling',
          `Could not create a room. ${balancerProblem(e, location, RETRY_BY_CHOOSING).message}`,
        );
        started = null;
      },
    );
    await s.addFiles(files);
    await started;
    kick();
  };
  fileInput.addEventListener('change', () => {
    void offer(fromInput(fileInput.files));
    fileInput.value = '';
  });
  folderInput.addEventListener('change', () => {
    void offer(fromInput(folderInput.files));
    folderInput.value = '';
  });

  const drop = h(
    'section',
    { class: 'drop', tabindex: 0 },
    h('div', { class: 'drop-icon', text: '⇪' }),
    h('h2', { text: 'Drop files or folders here' }),
    h('p', {
      class: 'muted',
      text: 'They go straight to the receiver’s browser, end-to-end encrypted. Nothing is uploaded to a server.',
    }),
    h(
      'div',
      { class: 'drop-buttons' },
      h('label', { class: 'btn primary', for: 'file-input', text: 'Choose files' }),
      h('label', { class: 'btn', for: 'folder-input', text: 'Choose a folder' }),
    ),
    fileInput,
    folderInput,
  );
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) void fromDrop(e.dataTransfer).then(offer);
  });

  const share = h('section', { class: 'card share', hidden: true });
  const linkBox = h('input', {
    class: 'link',
    readonly: true,
    'data-testid': 'share-link',
    'aria-label': 'Share link',
  });
  const copyBtn = h('button', { type: 'button', class: 'btn primary', text: 'Copy link' });
  copyBtn.addEventListener('click', () => {
    void navigator.clipboard?.writeText(linkBox.value).then(() => {
      copyBtn.textContent = 'Copied ✓';
      setTimeout(() => (copyBtn.textContent = 'Copy link'), 1500);
    });
    linkBox.select();
  });
  const qr = h('canvas', { class: 'qr', 'aria-label': 'QR code of the share link' });
  share.append(
    h(
      'div',
      { class: 'share-text' },
      h('h3', { text: 'Share this link' }),
      h('p', {
        class: 'muted small',
        text: 'The key after # never leaves your browsers. Keep this tab open while they download.',
      }),
      h('div', { class: 'link-row' }, linkBox, copyBtn),
      loopbackLinkHint(location.hostname),
      peers.el,
      health.el,
    ),
    qr,
  );

  const qos = new UploadQosControls(uploadScheduler);
  const fileIndex = (key: string) => s.files.findIndex((f) => f.entry.id === key);
  const rows = new RowList((key) => ({ controls: () => qos.prioritySelect(fileIndex(key)) }));
  const list = h(
    'section',
    { class: 'card list', hidden: true },
    h('h3', { text: 'Offered files' }),
    qos.capEl,
    rows.el,
  );
  app.append(header('send'), err.el, conn.el, drop, share, list);

  let shownLink = '';
  function doRender() {
    const link = s.sig?.status === 'joined' || s.sig?.peerId ? s.shareLink(location.origin) : null;
    if (link && s.files.length > 0 && link !== shownLink) {
      shownLink = link;
      linkBox.value = link;
      share.hidden = false;
      void QRCode.toCanvas(qr, link, {
        margin: 1,
        width: 168,
        color: { dark: '#1e1b4b', light: '#ffffff' },
      });
    }
    setNode(s.sig?.nodeId);
    conn.update(s.sig?.problem);
    peers.set(s.sig?.peers.size ?? 0);
    peers.node.textContent = s.sig?.nodeId
      ? `· via ${s.sig.nodeId}${s.sig.status === 'reconnecting' ? ' (reconnecting…)' : ''}`
      : '';
    const models: RowModel[] = s.files.map((f, i) => {
      const p = s.fileProgress(i);
      const hashed = s.hashedFraction(i);
      return {
        key: f.entry.id,
        name: f.entry.name,
        path: f.entry.path,
        size: f.entry.size,
        bytes: p.bytes,
        state: p.done ? 'done' : p.active ? 'transferring' : 'waiting',
        ...(hashed < 1 ? { note: `hashing ${Math.floor(100 * hashed)}%` } : {}),
      };
    });
    list.hidden = models.length === 0;
    rows.update(models);
    health.update(s.mesh?.health() ?? []);
    device.update(
      models.some((m) => m.state === 'transferring'),
      models.length > 0 && models.every((m) => m.state === 'done'),
    );
  }
  device.notifier.askOn(drop);
  return page;
}

// ---------------------------------------------------------------- receiver
function receiverPage(room: string) {
  const render = () => doRender();
  const kick = scheduler(render);
  const err = errorBanner();
  const conn = new ConnectionBanner();
  const r = new ReceiverSession(room, location.hash.replace(/^#/, ''), {
    overrideUrl,
    storage: hooks.storage,
    quotaOverride: hooks.quota,
    maxBytesPerSec: hooks.rate,
    onChange: () => kick(),
    onError: (code, message) => err.show(code, message),
  });
  r.stats.corruptSentPieces = hooks.corruptSentPieces;
  const device = new TransferDevice('p2p-share: download complete', 'All files have arrived.');
  const page = { role: 'receiver', stats: r.stats, session: r, device } as const;
  hooks.exposePage(page);
  window.addEventListener('pagehide', () => r.sig?.stop());
  onResume(() => {
    r.sig?.wake();
    r.mesh?.wake();
  });
  const peers = peerBadge();
  const health = new HealthLines();
  const acceptBtn = h('button', {
    type: 'button',
    class: 'btn primary',
    'data-testid': 'accept',
    text: 'Download all',
    hidden: true,
  });
  acceptBtn.addEventListener('click', () => void r.accept());
  device.notifier.askOn(acceptBtn);
  const saveAll = h('button', {
    type: 'button',
    class: 'btn',
    'data-testid': 'save-all',
    text: 'Save all as ZIP',
    hidden: true,
  });
  saveAll.addEventListener('click', () => void saveZip());
  const total = h('div', { class: 'total muted' });
  const totalBar = h('div', { class: 'bar-fill' });
  const totalSpeed = new Speedometer();
  const status = h('p', { class: 'muted', text: 'Connecting to the sender…' });

  const idx = (key: string) => r.manifest?.files.findIndex((f) => f.id === key) ?? -1;
  const rows = new RowList((key) => ({
    pause: () => r.pause(idx(key)),
    resume: () => r.resume(idx(key)),
    cancel: () => r.cancel(idx(key)),
    save: () => void saveOne(idx(key), false),
    saveAs: window.showSaveFilePicker ? () => void saveOne(idx(key), true) : undefined,
  }));

  async function saveOne(i: number, picker: boolean) {
    const f = r.manifest?.files[i];
    if (!f) return;
    const blob = await r.getFile(i);
    if (picker) await saveWithPicker(blob, f.name);
    else download(blob, f.name);
  }

  async function saveZip() {
    if (!r.manifest || !r.dl) return;
    const entries = [];
    for (const f of r.dl.files) {
      if (f.state !== 'done') continue;
      const e = r.manifest.files[f.index]!;
      entries.push({ name: e.path, input: await r.getFile(f.index), size: e.size });
    }
    // client-zip streams the archive (ZIP64 past 4 GiB); the Blob it becomes is disk-backed
    download(await downloadZip(entries).blob(), 'p2p-share.zip');
  }

  const head = h(
    'section',
    { class: 'card' },
    h(
      'div',
      { class: 'recv-head' },
      h('div', {}, h('h2', { text: 'Files for you' }), status),
      h('div', { class: 'recv-actions' }, acceptBtn, saveAll),
    ),
    h('div', { class: 'bar big' }, totalBar),
    h('div', { class: 'recv-foot' }, total, peers.el, seedToggle(r)),
    health.el,
  );
  const listCard = h('section', { class: 'card list', hidden: true }, rows.el);
  app.append(header('receive'), err.el, conn.el, head, listCard);

  function doRender() {
    setNode(r.sig?.nodeId);
    conn.update(r.sig?.problem);
    peers.set(r.sig?.peers.size ?? 0);
    peers.node.textContent = r.sig?.nodeId ? `· via ${r.sig.nodeId}` : '';
    if (r.error && r.error.code !== 'peer-gone') status.textContent = '';
    else if (!r.manifest) status.textContent = 'Connecting to the sender…';
    else status.textContent = `${r.manifest.files.length} file(s) offered, end-to-end encrypted`;
    if (!r.error) err.hide();
    else err.show(r.error.code, r.error.message);
    acceptBtn.hidden = !r.manifest || r.accepted;
    const dl = r.dl;
    const models: RowModel[] = [];
    if (dl && r.manifest) {
      for (const f of dl.files) {
        const e = r.manifest.files[f.index]!;
        models.push({
          key: e.id,
          name: e.name,
          path: e.path,
          size: e.size,
          bytes: f.bytes,
          state: f.state,
          note: f.state === 'failed' ? f.error : undefined,
        });
      }
      const t = dl.totals();
      const sp = totalSpeed.sample(t.bytes);
      totalBar.style.width = `${t.size ? ((100 * t.bytes) / t.size).toFixed(1) : r.allDone() && r.accepted ? 100 : 0}%`;
      total.textContent = r.accepted
        ? `${formatBytes(t.bytes)} of ${formatBytes(t.size)}${sp > 0 && t.bytes < t.size ? ` · ${formatBytes(sp)}/s · ${formatEta((t.size - t.bytes) / sp)} left` : ''}`
        : `${formatBytes(r.manifest.files.reduce((a, f) => a + f.size, 0))} offered`;
      saveAll.hidden = !(r.accepted && dl.files.some((f) => f.state === 'done'));
    }
    listCard.hidden = models.length === 0;
    rows.update(models);
    health.update(r.mesh?.health() ?? []);
    device.update(r.accepted && !r.allDone(), r.accepted && r.allDone());
  }
  // problems come after a network round trip, so this subscription is in time for the first
  void r.start().then(() => r.sig?.on('problem', kick));
  return page;
}

const m = location.pathname.match(/^\/r\/([A-Za-z0-9_-]{16,64})\/?$/);
mountHistory(m ? receiverPage(m[1]!) : senderPage()); // issue 8: offline/update banners, install, history, analytics consent
