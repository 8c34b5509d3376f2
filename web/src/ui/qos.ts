/**
 * The sender's QoS controls (issue 5): a priority select in every offered file's row and one
 * upload limit for the whole page (all files, all receivers), both applied to the page's upload
 * scheduler at once (transfer/qos.ts).
 */
import './qos.css';
import { isPriority, type Priority, type UploadScheduler } from '../transfer/qos';
import { h } from './dom';

const MiB = 1024 * 1024;

/** shown top to bottom */
const PRIORITY_OPTIONS: [Priority, string][] = [
  ['high', 'High priority'],
  ['normal', 'Normal priority'],
  ['low', 'Low priority'],
];

/** MiB/s as typed → bytes/s; empty, zero or nonsense = 0 (unlimited) */
export function capFromInput(text: string): number {
  const v = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(v) && v > 0 ? Math.round(v * MiB) : 0;
}

export class UploadQosControls {
  /** the upload-limit field, for the offered-files card */
  readonly capEl: HTMLElement;

  constructor(private readonly qos: UploadScheduler) {
    const input = h('input', {
      type: 'number',
      min: 0,
      step: 0.1,
      inputmode: 'decimal',
      placeholder: 'no limit',
      class: 'qos-cap-input',
      'data-testid': 'upload-cap',
      'data-bytes-per-sec': 0,
    });
    const apply = () => {
      qos.setCap(capFromInput(input.value));
      input.setAttribute('data-bytes-per-sec', String(qos.cap));
    };
    input.addEventListener('input', apply);
    input.addEventListener('change', apply);
    this.capEl = h(
      'label',
      { class: 'qos-cap', title: 'Shared by all files and receivers; empty = no limit' },
      'Upload limit',
      input,
      'MiB/s',
    );
  }

  /** The priority select of file `fileIndex` of the share (null for rows not offered yet). */
  prioritySelect(fileIndex: number): HTMLElement | null {
    if (fileIndex < 0) return null;
    const sel = h('select', {
      class: 'qos-priority',
      'data-testid': 'priority',
      'aria-label': 'Priority of this file',
    });
    for (const [value, label] of PRIORITY_OPTIONS) sel.append(h('option', { value, text: label }));
    sel.value = this.qos.priority(fileIndex);
    sel.addEventListener('change', () => {
      if (isPriority(sel.value)) this.qos.setPriority(fileIndex, sel.value);
    });
    return sel;
  }
}
