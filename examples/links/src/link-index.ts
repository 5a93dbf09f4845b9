import type { AssociationEvent } from '@crmhooks/core';

/**
 * The examples' own state: which records are linked (interested buyers and the
 * properties they asked about, contacts related to contacts...), keyed by link,
 * whichever CRM it came from.
 */
export class LinkIndex {
  readonly #links = new Map<string, { from: string; to: string }>();

  constructor(private readonly app: string) {}

  /** Applies a link change and logs it with its delivery id (the demo matches on that). */
  apply(link: AssociationEvent): string {
    const line = `[${this.app}] ${link.deliveryId} ${link.native.name} -> association.${link.action}: ${this.#change(link)}`;
    console.log(line);
    return line;
  }

  /** The links, for GET /links. */
  list(): { id: string; from: string; to: string }[] {
    return [...this.#links].map(([id, ends]) => ({ id, ...ends }));
  }

  get size(): number {
    return this.#links.size;
  }

  #change(link: AssociationEvent): string {
    // A definition is a kind of link (buyer <-> property); there are no records to index.
    if (link.level === 'definition') {
      const name = (end: AssociationEvent['from']) => end.label ?? end.objectType ?? '?';
      return `link type ${name(link.from)} <-> ${name(link.to)} ${link.action}`;
    }
    const key = `${link.provider}:${link.id}`;
    if (link.action === 'deleted') {
      this.#links.delete(key);
      return `unlinked ${key} (${this.size} links)`;
    }
    // SuperOffice's relation.changed does not repeat the ends: keep the known ones.
    const known = this.#links.get(key);
    const end = (side: AssociationEvent['from'], fallback = '?') =>
      side.recordId === undefined ? fallback : `${side.objectType ?? '?'}#${side.recordId}`;
    const ends = { from: end(link.from, known?.from), to: end(link.to, known?.to) };
    this.#links.set(key, ends);
    return `${link.action === 'updated' ? 'updated' : 'linked'} ${ends.from} -> ${ends.to} (${this.size} links)`;
  }
}
