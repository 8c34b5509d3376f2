/**
 * Issue 8 additions around the page: offline banner, service worker update banner, install
 * button, the analytics consent prompt and the History view (with its settings). Mounted once by
 * main.ts with the page's session.
 */
import './extras.css';
import { type Consent, readConsent, writeConsent } from '../analytics/report';
import type { HistoryEntry } from '../history/model';
import { hasOpfsData } from '../history/purge';
import { DAY_MS, HistoryService } from '../history/service';
import { receiverProbe, senderProbe } from '../app/history-probes';
import { listEntries, setPinned } from '../history/store';
import { registerServiceWorker } from '../pwa/register';
import type { ReceiverSession } from '../app/receiver';
import type { SenderSession } from '../app/sender';
import { formatBytes, h } from './dom';
import { hooks } from './hooks';

const AGE_KEY = 'p2p-share.history-days';

interface PageInfo {
  role: 'sender' | 'receiver';
  session: SenderSession | ReceiverSession;
}

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: string }>;
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function keepDays(): number {
  const n = Number(storage()?.getItem(AGE_KEY));
  return Number.isFinite(n) && n > 0 ? n : 30;
}

function offlineBanner(): HTMLElement {
  const el = h(
    'div',
    { class: 'banner offline', 'data-testid': 'offline', role: 'status', hidden: true },
    h('strong', { text: 'You are offline. ' }),
    'The app opened from this device, and your history is here, but sending and receiving need a connection — they continue when you are back online.',
  );
  const sync = () => {
    el.hidden = navigator.onLine;
    document.body.toggleAttribute('data-offline', !navigator.onLine);
  };
  window.addEventListener('online', sync);
  window.addEventListener('offline', sync);
  sync();
  return el;
}

function updateBanner(): HTMLElement {
  const btn = h('button', { type: 'button', class: 'btn primary small', text: 'Reload' });
  const el = h(
    'div',
    { class: 'banner update', 'data-testid': 'update-ready', role: 'status', hidden: true },
    h('span', { text: 'A new version is ready — ' }),
    btn,
  );
  registerServiceWorker((reload) => {
    el.hidden = false;
    btn.onclick = () => reload();
  });
  return el;
}

function installButton(): HTMLElement {
  const btn = h('button', {
    type: 'button',
    class: 'btn small',
    'data-testid': 'install',
    text: 'Install app',
    hidden: true,
  });
  let deferred: BeforeInstallPromptEvent | null = null;
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    deferred = e as BeforeInstallPromptEvent;
    btn.hidden = false;
  });
  window.addEventListener('appinstalled', () => {
    btn.hidden = true;
    deferred = null;
  });
  btn.addEventListener('click', () => {
    const d = deferred;
    if (!d) return;
    deferred = null;
    btn.hidden = true;
    void d.prompt();
  });
  return btn;
}

function consentPrompt(onAnswer: (c: 'yes' | 'no') => void): HTMLElement {
  const yes = h('button', {
    type: 'button',
    class: 'btn small primary',
    'data-testid': 'analytics-yes',
    text: 'Yes, share',
  });
  const no = h('button', {
    type: 'button',
    class: 'btn small',
    'data-testid': 'analytics-no',
    text: 'No thanks',
  });
  const el = h(
    'aside',
    {
      class: 'consent',
      'data-testid': 'analytics-consent',
      hidden: readConsent(storage()) !== null,
    },
    h('p', {
      text: 'Share anonymous transfer statistics (size range, speed, connection type, browser family — never names, rooms or addresses)? You can change this in History.',
    }),
    h('div', { class: 'consent-buttons' }, yes, no),
  );
  const answer = (c: 'yes' | 'no') => {
    writeConsent(storage(), c);
    el.hidden = true;
    onAnswer(c);
  };
  yes.addEventListener('click', () => answer('yes'));
  no.addEventListener('click', () => answer('no'));
  return el;
}

const STATUS_TEXT: Record<HistoryEntry['status'], string> = {
  completed: 'completed',
  partial: 'partial',
  failed: 'failed',
};

export function mountExtras(info: unknown): void {
  const app = document.getElementById('app');
  if (!app) return;
  const page = info as PageInfo | undefined;
  const probe =
    page?.role === 'sender'
      ? senderProbe(page.session as SenderSession)
      : page?.role === 'receiver'
        ? receiverProbe(page.session as ReceiverSession)
        : null;
  const liveLink = (): string | null =>
    page?.role === 'sender'
      ? (page.session as SenderSession).shareLink(location.origin)
      : page?.role === 'receiver'
        ? location.origin + location.pathname + location.hash
        : null;

  let consent: Consent = readConsent(storage());
  const reports: string[] = [];
  const svc = new HistoryService(probe, {
    consent: () => consent,
    userAgent: navigator.userAgent,
    fetchFn: (...a) => fetch(...a),
    onChange: () => void render(),
    onReport: (e) => reports.push(e.id),
  });

  // ---- history view
  const list = h('ul', { class: 'history-list' });
  const empty = h('p', { class: 'muted small', text: 'No transfers yet.' });
  const toggle = h('input', { type: 'checkbox', 'data-testid': 'analytics-toggle' });
  toggle.checked = consent === 'yes';
  const prompt = consentPrompt((c) => {
    consent = c;
    toggle.checked = c === 'yes';
  });
  toggle.addEventListener('change', () => {
    consent = toggle.checked ? 'yes' : 'no';
    writeConsent(storage(), consent);
    prompt.hidden = true;
  });
  const days = h('select', { 'data-testid': 'history-days', 'aria-label': 'Keep history for' });
  for (const d of [1, 7, 30, 90, 365]) {
    const o = h('option', { value: d, text: d === 1 ? '1 day' : `${d} days` });
    if (d === keepDays()) o.selected = true;
    days.append(o);
  }
  days.addEventListener('change', () => {
    storage()?.setItem(AGE_KEY, days.value);
    void svc.cleanup(keepDays() * DAY_MS);
  });
  const card = h(
    'section',
    { class: 'card history', id: 'history', 'data-testid': 'history' },
    h('h3', { text: 'History' }),
    h('p', {
      class: 'muted small',
      text: 'Kept in this browser only. Share keys are stored only for transfers you pin to resume later.',
    }),
    empty,
    list,
    h(
      'div',
      { class: 'history-settings small' },
      h('label', {}, 'Keep for ', days),
      h('label', {}, toggle, ' Share anonymous statistics'),
    ),
  );

  function row(e: HistoryEntry): HTMLElement {
    const live = e.id === svc.liveId;
    const names =
      e.files.length === 1
        ? e.files[0]!.name
        : `${e.files[0]?.name ?? ''} + ${e.files.length - 1} more`;
    const meta = [
      e.direction === 'send' ? 'sent' : 'received',
      formatBytes(e.totalSize),
      new Date(e.started).toLocaleString(),
      live && e.status === 'partial' ? 'in progress' : STATUS_TEXT[e.status],
      `${e.peers} peer${e.peers === 1 ? '' : 's'}`,
      e.avgBps > 0 ? `${formatBytes(Math.round(e.avgBps))}/s` : '',
      e.connection !== 'unknown' ? e.connection : '',
      e.cleared ? 'data cleared' : '',
    ].filter(Boolean);
    const actions = h('div', { class: 'history-actions' });
    if (e.direction === 'receive') {
      if (e.link) {
        if (e.status !== 'completed' && !live)
          actions.append(
            h('a', {
              class: 'btn small primary',
              href: e.link,
              'data-testid': 'history-resume',
              text: 'Resume',
            }),
          );
        actions.append(
          h('button', {
            type: 'button',
            class: 'btn small',
            'data-testid': 'history-unpin',
            text: 'Unpin',
            onclick: () => void setPinned(e.id, null).then(render),
          }),
        );
      } else if (live) {
        actions.append(
          h('button', {
            type: 'button',
            class: 'btn small',
            'data-testid': 'history-pin',
            title: 'Keep the link with its key in this browser, to resume later from here',
            text: 'Pin for resume',
            onclick: () => void setPinned(e.id, liveLink()).then(render),
          }),
        );
      }
    }
    actions.append(
      h('button', {
        type: 'button',
        class: 'btn small ghost',
        'data-testid': 'history-delete',
        text: 'Delete',
        disabled: live,
        title: live ? 'In use on this page' : 'Delete the entry and its stored data',
        onclick: () => void svc.remove(e).then(render),
      }),
    );
    return h(
      'li',
      {
        class: 'history-row',
        'data-testid': 'history-row',
        'data-id': e.id,
        'data-room': e.room,
        'data-status': e.status,
        'data-direction': e.direction,
        'data-pinned': e.link ? 'true' : 'false',
      },
      h('span', { class: 'dir', text: e.direction === 'send' ? '↑' : '↓' }),
      h(
        'div',
        { class: 'what' },
        h('strong', { text: names }),
        h('span', { class: 'muted small', text: meta.join(' · ') }),
      ),
      actions,
    );
  }

  let shown = '';
  async function render(): Promise<void> {
    let entries: HistoryEntry[];
    try {
      entries = await listEntries();
    } catch {
      return;
    }
    const key = JSON.stringify([entries, svc.liveId]);
    if (key === shown) return;
    shown = key;
    list.replaceChildren(...entries.map(row));
    empty.hidden = entries.length > 0;
  }

  // ---- header button, banners
  const histBtn = h('a', {
    class: 'btn small',
    href: '#history',
    'data-testid': 'history-open',
    text: 'History',
  });
  histBtn.addEventListener('click', (ev) => {
    ev.preventDefault(); // the fragment holds the key on the receiver page: never touch it
    card.scrollIntoView({ behavior: 'smooth' });
  });
  const tools = h('div', { class: 'top-tools' }, installButton(), histBtn);
  const top = app.querySelector('header.top');
  if (top) top.append(tools);
  else app.prepend(tools);
  app.prepend(offlineBanner(), updateBanner());
  // in the flow under the header (never floating over the page's own buttons)
  if (top) top.after(prompt);
  else app.prepend(prompt);
  app.append(card);

  hooks.exposeHistory({
    service: svc,
    reports,
    render,
    hasOpfsData,
  });
  window.addEventListener('pagehide', () => svc.flush());
  svc.start();
  void svc.cleanup(keepDays() * DAY_MS).finally(() => void render());
  setInterval(() => void render(), 1500);
}
