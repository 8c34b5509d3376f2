/**
 * The receiver's page (`/r/<room>#<key>`): the offered files, accept, per-file pause/resume/
 * cancel/save, save all as ZIP, the seeding opt-out.
 */
import { downloadZip } from 'client-zip';
import { ReceiverSession } from '../app/receiver';
import { ConnectionBanner } from './connection';
import { onResume, TransferDevice } from './device';
import { download, formatBytes, formatEta, h, Speedometer } from './dom';
import { HealthLines } from './health';
import { hooks } from './hooks';
import { errorBanner, header, peerBadge, saveWithPicker, scheduler, setNode } from './page-parts';
import { RowList, type RowModel } from './rows';
import { seedToggle } from './seed';

/** Mounts the receiver page for `room` into `app`; returns the page object the test build exposes. */
export function receiverPage(app: HTMLElement, overrideUrl: string | null, room: string) {
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
