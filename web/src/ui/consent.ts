/** The one-time analytics consent notice (opt-in; the answer is kept in localStorage). */
import { readConsent, writeConsent } from '../analytics/report';
import { browserStorage as storage, h } from './dom';

export function consentPrompt(onAnswer: (c: 'yes' | 'no') => void): HTMLElement {
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
