/**
 * The sender's page (`/`): pick or drop files, share the link and QR code, watch each receiver's
 * progress, set the upload cap and per-file priority.
 */
import QRCode from 'qrcode';
import { SenderSession } from '../app/sender';
import { balancerProblem } from '../signaling/problems';
import { uploadScheduler } from '../transfer/qos';
import { ConnectionBanner, loopbackLinkHint } from './connection';
import { onResume, TransferDevice } from './device';
import { h } from './dom';
import { HealthLines } from './health';
import { hooks } from './hooks';
import { errorBanner, header, peerBadge, scheduler, setNode } from './page-parts';
import { fromDrop, fromInput } from './pick';
import { UploadQosControls } from './qos';
import { RowList, type RowModel } from './rows';

const RETRY_BY_CHOOSING = 'Choose your files again to retry.';

/** Mounts the sender page into `app`; returns the page object the test build exposes. */
export function senderPage(app: HTMLElement, overrideUrl: string | null) {
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
