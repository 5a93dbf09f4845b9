import { expect } from 'vitest';
import { generateHighLevelKeyPair } from '@crmhooks/core/testing';
import { LINKS_AFTER_SCENARIO, scenario } from '@crmhooks/example-links';
import { post } from './http.js';

/** Development keys an example under test trusts, as the demo passes them through the environment. */
export const exampleKeys = { superOfficeSecret: 'example-test-secret', highLevel: generateHighLevelKeyPair() };

/** Settings for an example app under test (port 0: any free port). */
export const exampleSettings = {
  port: 0,
  superOfficeSecret: exampleKeys.superOfficeSecret,
  highLevelPublicKeys: [exampleKeys.highLevel.publicKey],
};

/** Sends the demo scenario to an example app and checks every answer and the resulting links. */
export async function expectScenario(baseUrl: string): Promise<void> {
  for (const step of scenario({ superOfficeSecret: exampleKeys.superOfficeSecret, highLevelKey: exampleKeys.highLevel.privateKey })) {
    const answer = await post(`${baseUrl}/webhooks/crm`, step.delivery);
    expect(answer.status, `${step.provider} ${step.event} ${step.note ?? ''}`).toBe(step.expectedStatus);
  }
  const links = await fetch(`${baseUrl}/links`);
  expect(await links.json()).toEqual(LINKS_AFTER_SCENARIO);
}
