/**
 * The connection-problem banner: why the page cannot reach the room (from the signaling client's
 * `problem`), with what to do; hidden once the page has joined. Separate from the transfer error
 * banner (`error`), which says what went wrong with the files.
 */
import { isLoopbackHost, type SignalingProblem } from '../signaling/problems';
import { h } from './dom';

export class ConnectionBanner {
  readonly el = h('div', {
    class: 'error',
    'data-testid': 'connection-problem',
    role: 'alert',
    hidden: true,
  });
  private shown: SignalingProblem | null = null;

  /** Cheap when nothing changed: the page calls it on every render. */
  update(p: SignalingProblem | null | undefined): void {
    const next = p ?? null;
    if (next === this.shown) return;
    this.shown = next;
    if (!next) {
      this.el.hidden = true;
      this.el.removeAttribute('data-code');
      return;
    }
    this.el.setAttribute('data-code', next.code);
    this.el.textContent = next.message;
    this.el.hidden = false;
  }
}

/** A hint under the share link when it names this computer only (page opened on localhost). */
export function loopbackLinkHint(hostname: string): HTMLElement | null {
  if (!isLoopbackHost(hostname)) return null;
  return h('p', {
    class: 'muted small',
    'data-testid': 'loopback-hint',
    text:
      'This link uses localhost, so it opens only on this computer. To share with other devices, ' +
      'open p2p-share at this computer’s network address (scripts/run-cluster.sh prints it as ' +
      'the LAN URL) and send from there.',
  });
}
