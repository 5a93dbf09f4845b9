import { describe, expect, test } from 'vitest';
import { generateHighLevelKeyPair, toRequest } from '@crmhooks/core/testing';
import { linksAfterScenario, scenario } from '@crmhooks/example-links';
import { createApp } from '../src/app.js';

describe('Web-standard handler example', () => {
  test('every scenario delivery gets its expected answer and the link table follows the CRMs', async () => {
    const key = generateHighLevelKeyPair();
    const app = createApp({ superOfficeSecret: 'example-secret', highLevelPublicKeys: [key.publicKey], hubSpotClientSecret: 'hs' });
    const url = 'http://127.0.0.1/webhooks/crm';
    for (const step of scenario({ superOfficeSecret: 'example-secret', highLevelKey: key.privateKey, hubSpotSecret: 'hs', url })) {
      const response = await app.handle(toRequest(step.delivery, url));
      expect(response.status, `${step.provider} ${step.event} ${step.note ?? ''}`).toBe(step.expectedStatus);
    }
    expect(await app.links.rows()).toEqual(linksAfterScenario(true));
    expect(app.log).toContain('superoffice test event: webhook saved');
    // relation.changed carries no ends; the link keeps the ones relation.created gave it.
    expect(app.log).toContainEqual(expect.stringMatching(/superoffice\.relation\.changed -> association\.updated: updated contact#1 -> contact#2/));
    await app.links.close();
  });
});
