/** The receiver's seeding opt-out, and the `?corruptSend=<n>` test hook of any page. */
import type { TransferStats } from '../transfer/link';
import type { ReceiverSession } from '../transfer/receiver';
import { h } from './dom';

/** Checkbox (default on): share verified pieces with other receivers while the tab is open. */
export function seedToggle(r: ReceiverSession): HTMLElement {
  const box = h('input', { type: 'checkbox', 'data-testid': 'seed-toggle' });
  box.checked = r.seeding;
  box.addEventListener('change', () => r.setSeeding(box.checked));
  return h(
    'label',
    { class: 'seed-toggle muted', title: 'Other receivers of this link can fetch from you' },
    box,
    ' Share with other receivers',
  );
}

/** Test-only: `?corruptSend=<n>` makes this page corrupt every block of the next n pieces it serves. */
export function corruptSendHook(stats: TransferStats, params: URLSearchParams): void {
  const n = Number(params.get('corruptSend') ?? 0);
  if (Number.isInteger(n) && n > 0) stats.corruptSentPieces = n;
}
