/** The installable app's page chrome: offline banner, service worker update banner, install button. */
import { registerServiceWorker } from '../pwa/register';
import { h } from './dom';

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: string }>;
}

export function offlineBanner(): HTMLElement {
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

export function updateBanner(): HTMLElement {
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

export function installButton(): HTMLElement {
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
