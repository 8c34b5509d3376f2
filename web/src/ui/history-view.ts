/**
 * The History view (list, pin/resume/delete, keep-for and statistics settings) and where the page
 * chrome goes around it: the header's install + History buttons, the offline and update banners
 * (pwa-banners.ts) and the analytics consent prompt (consent.ts). Mounted once by main.ts with the
 * page's session.
 */
import './history-view.css';
import { type Consent, readConsent, writeConsent } from '../analytics/report';
import type { HistoryEntry } from '../history/model';
import { hasOpfsData } from '../history/purge';
import { DAY_MS, HistoryService } from '../history/service';
import { receiverProbe, senderProbe } from '../app/history-probes';
import { listEntries, setPinned } from '../history/store';
import type { ReceiverSession } from '../app/receiver';
import type { SenderSession } from '../app/sender';
import { consentPrompt } from './consent';
import { browserStorage as storage, formatBytes, h } from './dom';
import { hooks } from './hooks';
import { installButton, offlineBanner, updateBanner } from './pwa-banners';

const AGE_KEY = 'p2p-share.history-days';

interface PageInfo {
  role: 'sender' | 'receiver';
  session: SenderSession | ReceiverSession;
}

function keepDays(): number {
  const n = Number(storage()?.getItem(AGE_KEY));
  return Number.isFinite(n) && n > 0 ? n : 30;
}

const STATUS_TEXT: Record<HistoryEntry['status'], string> = {
  completed: 'completed',
  partial: 'partial',
  failed: 'failed',
};

export function mountHistory(info: unknown): void {
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
