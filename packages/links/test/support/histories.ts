import fc from 'fast-check';
import type { AssociationAction, AssociationEvent } from '@crmhooks/core';
import { linkEvent } from './events.js';

const ENDS = [
  [{ objectType: 'contact', recordId: '1' }, { objectType: 'company', recordId: '2' }],
  [{ objectType: 'contact', recordId: '1' }, { objectType: 'company', recordId: '3' }],
  [{ objectType: 'deal', table: 13, recordId: '4' }, { objectType: 'contact', recordId: '1' }],
] as const;

/** One step of a link's history; `ends` and `definition` are left out as SuperOffice's deletes and changes leave them out. */
const step = fc.record({
  action: fc.constantFrom<AssociationAction>('created', 'updated', 'deleted'),
  ends: fc.option(fc.integer({ min: 0, max: ENDS.length - 1 }), { nil: undefined }),
  definition: fc.option(fc.constantFrom('7', '8'), { nil: undefined }),
  gapMs: fc.integer({ min: 1, max: 5_000 }),
  deliveryId: fc.uuid(),
});

/**
 * Histories of up to `links` links (exactly, with `full`) of up to `steps` events each: each
 * link's events in CRM time order (strictly increasing), links overlapping in time.
 */
export const histories = ({ links = 8, steps = 6, full = false } = {}) =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.array(step, { minLength: full ? steps : 1, maxLength: steps })), {
      minLength: full ? links : 1,
      maxLength: links,
    })
    .map((generated) =>
      generated.map(([start, changes], link) => {
        let time = Date.parse('2026-11-01T00:00:00Z') + start;
        return changes.map((change) => {
          time += change.gapMs;
          const ends = change.ends === undefined ? undefined : ENDS[change.ends]!;
          return linkEvent({
            provider: link % 2 ? 'superoffice' : 'hubspot',
            linkId: `link-${link}`,
            action: change.action,
            time,
            deliveryId: change.deliveryId,
            ...(ends && { from: ends[0], to: ends[1] }),
            ...(change.definition && { definitionId: change.definition }),
          });
        });
      }),
    );

/**
 * A history, and the same events as a CRM might deliver them: each one to three times, in an
 * order the generator picks (`order` is a permutation of the copies).
 */
export const deliveries = histories().chain((links) => {
  const events = links.flat();
  return fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length })
    .chain((copies) => {
      const delivered = events.flatMap((event, index) => Array.from({ length: copies[index]! }, () => event));
      return fc.shuffledSubarray(delivered, { minLength: delivered.length, maxLength: delivered.length });
    })
    .map((delivered) => ({ links, inOrder: [...events].sort((a, b) => Date.parse(a.occurredAt!) - Date.parse(b.occurredAt!)), delivered }));
});

/** What each link must look like after its history: the last event decides the state, the last with ends the ends. */
export function expectedLink(history: readonly AssociationEvent[]) {
  const last = history.at(-1)!;
  const withEnds = [...history].reverse().find((event) => event.from.recordId !== undefined);
  const withDefinition = [...history].reverse().find((event) => event.definitionId !== undefined);
  const created = history.find((event) => event.action === 'created');
  return {
    provider: last.provider,
    id: last.id!,
    definitionId: withDefinition?.definitionId,
    from: withEnds?.from ?? {},
    to: withEnds?.to ?? {},
    createdAt: created && new Date(created.occurredAt!),
    updatedAt: new Date(last.occurredAt!),
    deletedAt: last.action === 'deleted' ? new Date(last.occurredAt!) : undefined,
  };
}
