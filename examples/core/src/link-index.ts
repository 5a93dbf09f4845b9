import type { AssociationEvent } from '@crmhooks/core';

/**
 * The app's own state: which records are linked, e.g. interested buyers and
 * the properties they asked about. Keyed by link id, whichever CRM it came from.
 */
export class LinkIndex {
  readonly #links = new Map<string, { from: string; to: string }>();

  apply(link: AssociationEvent): string {
    // Definition-level changes (a new kind of link) carry no records to index.
    if (link.level !== 'record') return `definition ${link.action}: ${link.from.objectType} <-> ${link.to.objectType}`;
    const key = `${link.provider}:${link.id}`;
    if (link.action === 'deleted') {
      this.#links.delete(key);
      return `unlinked ${key} (${this.#links.size} links)`;
    }
    // Some updates (SuperOffice relation.changed) do not repeat the ends: keep the ones we know.
    const known = this.#links.get(key);
    const end = (side: AssociationEvent['from'], fallback = '?') =>
      side.recordId === undefined ? fallback : `${side.objectType ?? '?'}#${side.recordId}`;
    const entry = { from: end(link.from, known?.from), to: end(link.to, known?.to) };
    this.#links.set(key, entry);
    const verb = link.action === 'updated' ? 'updated' : 'linked';
    return `${verb} ${entry.from} -> ${entry.to} (${this.#links.size} links)`;
  }

  get size(): number {
    return this.#links.size;
  }
}
