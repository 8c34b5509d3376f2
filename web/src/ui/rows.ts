/** File rows shared by both sides: keeps one element per file and updates it in place. */
import type { FileState } from '../transfer/state';
import { formatBytes, formatEta, h, Speedometer } from './dom';

export interface RowModel {
  key: string;
  name: string;
  path: string;
  size: number;
  bytes: number;
  state: FileState;
  note?: string;
}

export interface RowActions {
  pause?: () => void;
  resume?: () => void;
  cancel?: () => void;
  save?: () => void;
  saveAs?: () => void;
  /** side-specific controls shown first among the row's actions (the sender's priority select) */
  controls?: () => HTMLElement | null;
}

interface RowEls {
  /** what the row shows now (apply() does nothing when the model did not change) */
  shown: string;
  el: HTMLElement;
  bar: HTMLElement;
  meta: HTMLElement;
  stateEl: HTMLElement;
  buttons: Record<string, HTMLButtonElement>;
  speed: Speedometer;
}

const LABELS: Record<FileState, string> = {
  waiting: 'waiting',
  transferring: 'transferring',
  paused: 'paused',
  done: 'done',
  failed: 'failed',
};

export class RowList {
  readonly el = h('ul', { class: 'files' });
  private rows = new Map<string, RowEls>();

  constructor(private readonly actions: (key: string) => RowActions) {}

  update(models: RowModel[]): void {
    const seen = new Set<string>();
    for (const m of models) {
      seen.add(m.key);
      let r = this.rows.get(m.key);
      if (!r) {
        r = this.create(m);
        this.rows.set(m.key, r);
        this.el.append(r.el);
      }
      this.apply(r, m);
    }
    for (const [k, r] of this.rows) {
      if (!seen.has(k)) {
        r.el.remove();
        this.rows.delete(k);
      }
    }
  }

  private create(m: RowModel): RowEls {
    const acts = this.actions(m.key);
    const buttons: Record<string, HTMLButtonElement> = {};
    const mk = (id: string, label: string, fn?: () => void, cls = '') => {
      if (!fn) return null;
      const b = h('button', {
        type: 'button',
        class: `btn small ${cls}`,
        'data-testid': id,
        text: label,
      });
      b.addEventListener('click', fn);
      buttons[id] = b;
      return b;
    };
    const folder = m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/') + 1) : '';
    const bar = h('div', { class: 'bar-fill' });
    const meta = h('div', { class: 'row-meta' });
    const stateEl = h('span', { class: 'badge' });
    const el = h(
      'li',
      { class: 'file-row', 'data-testid': 'file-row' },
      h(
        'div',
        { class: 'row-head' },
        h(
          'div',
          { class: 'row-name', title: m.path },
          folder ? h('span', { class: 'folder', text: folder }) : null,
          h('span', { class: 'name', text: m.name }),
        ),
        stateEl,
      ),
      h('div', { class: 'bar' }, bar),
      h(
        'div',
        { class: 'row-foot' },
        meta,
        h(
          'div',
          { class: 'row-actions' },
          acts.controls?.(),
          mk('pause', 'Pause', acts.pause),
          mk('resume', 'Resume', acts.resume),
          mk('cancel', 'Cancel', acts.cancel, 'ghost'),
          mk('save', 'Save', acts.save, 'primary'),
          mk('save-as', 'Save as…', acts.saveAs, 'ghost'),
        ),
      ),
    );
    return { shown: '', el, bar, meta, stateEl, buttons, speed: new Speedometer() };
  }

  private apply(r: RowEls, m: RowModel): void {
    // an unchanged row costs nothing, except that a running one's speed and time left move
    const shown = `${m.name}\u0000${m.path}\u0000${m.size}\u0000${m.bytes}\u0000${m.state}\u0000${m.note ?? ''}`;
    if (shown === r.shown && m.state !== 'transferring') return;
    r.shown = shown;
    const a = r.el;
    a.setAttribute('data-name', m.name);
    a.setAttribute('data-path', m.path);
    a.setAttribute('data-size', String(m.size));
    a.setAttribute('data-bytes', String(m.bytes));
    a.setAttribute('data-state', m.state);
    a.className = `file-row state-${m.state}`;
    const pct = m.size === 0 ? (m.state === 'done' ? 100 : 0) : (100 * m.bytes) / m.size;
    r.bar.style.width = `${pct.toFixed(1)}%`;
    r.stateEl.textContent = m.note ?? LABELS[m.state];
    const speed = r.speed.sample(m.bytes);
    let meta = `${formatBytes(m.bytes)} / ${formatBytes(m.size)}`;
    if (m.state === 'transferring' && speed > 0) {
      meta += ` · ${formatBytes(speed)}/s · ${formatEta((m.size - m.bytes) / speed)} left`;
    }
    r.meta.textContent = meta;
    const show = (id: string, on: boolean) => {
      const b = r.buttons[id];
      if (b) b.hidden = !on;
    };
    show('pause', m.state === 'transferring' || m.state === 'waiting');
    show('resume', m.state === 'paused');
    show('cancel', m.state === 'transferring' || m.state === 'paused' || m.state === 'waiting');
    show('save', m.state === 'done');
    show('save-as', m.state === 'done');
  }
}
