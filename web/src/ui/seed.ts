/** The receiver's seeding opt-out. */
import type { ReceiverSession } from '../app/receiver';
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
