import type { JournalBucket } from '@crmhooks/journal';
import { html, type Html } from './html.js';

const WIDTH = 560;
const HEIGHT = 120;
const COLORS: Record<string, string> = { handled: '#16a34a', queued: '#d97706', running: '#d97706', received: '#d97706', failed: '#dc2626', dead: '#7f1d1d' };

/** A stacked bar per hour of the last 24 h, by state: drawn on the server, no script. */
export function hourlyChart(buckets: readonly JournalBucket[], since: Date, hourMs: number): Html {
  const hours = Array.from({ length: 24 }, () => new Map<string, number>());
  for (const bucket of buckets) {
    const index = Math.floor((bucket.start.getTime() - since.getTime()) / hourMs);
    const hour = hours[Math.min(23, Math.max(0, index))]!;
    hour.set(bucket.state, (hour.get(bucket.state) ?? 0) + bucket.count);
  }
  const totals = hours.map((hour) => [...hour.values()].reduce((sum, count) => sum + count, 0));
  const highest = Math.max(1, ...totals);
  const barWidth = WIDTH / 24;
  // A mark every 6 hours, labelled with how long ago it was.
  const ticks = [18, 12, 6].map((ago) => {
    const x = ((24 - ago) * barWidth).toFixed(1);
    return html`<line x1="${x}" x2="${x}" y1="12" y2="${HEIGHT}" stroke="currentColor" stroke-opacity="0.2"></line><text x="${x}" y="${HEIGHT + 12}" text-anchor="middle">${ago} h ago</text>`;
  });
  const bars = hours.map((hour, index) => {
    let top = HEIGHT;
    return [...hour].map(([state, count]) => {
      const height = (count / highest) * (HEIGHT - 12);
      top -= height;
      return html`<rect x="${(index * barWidth + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${height.toFixed(1)}" fill="${COLORS[state] ?? '#6b7280'}"><title>${count} ${state}</title></rect>`;
    });
  });
  return html`<svg role="img" aria-label="events per hour, last 24 hours" width="${WIDTH}" height="${HEIGHT + 14}" viewBox="0 0 ${WIDTH} ${HEIGHT + 14}">
    ${ticks}${bars}<text x="0" y="${HEIGHT + 12}">24 h ago</text><text x="${WIDTH - 24}" y="${HEIGHT + 12}">now</text><text x="0" y="9">tallest bar: ${highest} events in one hour</text>
  </svg>`;
}
