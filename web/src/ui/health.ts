/** Per-peer connection line (rtt, rates, path badge) fed by the peer layer's getStats monitor. */
import './health.css';
import type { LinkHealth } from '../peer/link';
import { formatBytes, h } from './dom';

export interface PeerHealth {
  peerId: string;
  health: LinkHealth | null;
}

const PATH_TITLES: Record<string, string> = {
  direct: 'direct connection between the browsers',
  stun: 'direct, through NAT (found with STUN)',
  relay: 'through a TURN relay (encrypted end to end)',
};

const rate = (bps: number | null) => (bps === null ? '–' : `${formatBytes(Math.round(bps))}/s`);

export class HealthLines {
  readonly el = h('ul', { class: 'peer-health', 'aria-label': 'Connections' });
  private items = new Map<string, HTMLElement>();

  update(peers: PeerHealth[]): void {
    const seen = new Set<string>();
    for (const { peerId, health } of peers) {
      seen.add(peerId);
      let li = this.items.get(peerId);
      if (!li) {
        li = h('li', { 'data-testid': 'peer-health', 'data-peer': peerId });
        this.items.set(peerId, li);
        this.el.append(li);
      }
      const path = health?.path ?? 'unknown';
      li.setAttribute('data-path', path);
      li.setAttribute('data-rtt', health?.rttMs === null || !health ? '' : String(health.rttMs));
      li.setAttribute('data-degraded', String(health?.degraded ?? false));
      li.replaceChildren(
        h('span', { class: 'who', text: `peer ${peerId.slice(0, 6)}` }),
        h('span', {
          text: health?.rttMs === null || !health ? '– ms' : `${Math.round(health.rttMs)} ms`,
        }),
        h('span', {
          text: `↑ ${rate(health?.sendBytesPerSec ?? null)} ↓ ${rate(health?.recvBytesPerSec ?? null)}`,
        }),
        h('span', {
          class: `path path-${path}${health?.degraded ? ' degraded' : ''}`,
          title: PATH_TITLES[path] ?? 'connecting',
          text: health?.degraded ? `${path} · weak` : path,
        }),
      );
    }
    for (const [id, li] of this.items)
      if (!seen.has(id)) {
        li.remove();
        this.items.delete(id);
      }
    this.el.hidden = this.items.size === 0;
  }
}
