import { describe, expect, test } from 'vitest';
import { generateHighLevelKeyPair } from '@crmhooks/core/testing';
import { createApp } from '../src/app.js';
import { demoDeliveries } from '../src/deliveries.js';

describe('core example', () => {
  test('every demo delivery gets its expected answer and the link index follows the CRMs', async () => {
    const key = generateHighLevelKeyPair();
    const app = createApp({ superOfficeSecret: 'example-secret', highLevelPublicKeys: [key.publicKey] });
    const statuses: [number, number][] = [];
    for (const { request, expected } of demoDeliveries({ superOfficeSecret: 'example-secret', highLevelKey: key.privateKey })) {
      statuses.push([(await app.handle(request)).status, expected]);
    }
    for (const [status, expected] of statuses) expect(status).toBe(expected);
    // relation.created added a SuperOffice link, relation.deleted removed another id; the HighLevel relation was
    // created, and the earlier RelationDelete for the same id came first, so one link of each CRM remains.
    expect(app.links.size).toBe(2);
    expect(app.log).toContain('superoffice test event: webhook saved');
    // relation.changed carries no ends; the link keeps the ones relation.created gave it.
    expect(app.log).toContain('superoffice.relation.changed: updated contact#1 -> contact#2 (1 links)');
    expect(app.log.filter((line) => line.includes('duplicate'))).toEqual([]);
  });
});
