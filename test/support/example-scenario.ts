import { expect } from 'vitest';
import { generateHighLevelKeyPair } from '@crmhooks/core/testing';
import { linksAfterScenario, scenario } from '@crmhooks/example-links';
import { post } from './http.js';

/** Development keys an example under test trusts, as the demo passes them through the environment. */
export const exampleKeys = {
  superOfficeSecret: 'example-test-secret',
  hubSpotSecret: 'example-hubspot-secret',
  attioSecret: 'example-attio-secret',
  dataverseKey: 'example-dataverse-key',
  highLevel: generateHighLevelKeyPair(),
};

/** Settings for an example app under test (port 0: any free port). */
export const exampleSettings = {
  port: 0,
  superOfficeSecret: exampleKeys.superOfficeSecret,
  highLevelPublicKeys: [exampleKeys.highLevel.publicKey],
  hubSpotClientSecret: exampleKeys.hubSpotSecret,
  attioSecret: exampleKeys.attioSecret,
  dataverseKey: exampleKeys.dataverseKey,
};

/** Sends the demo scenario to an example app and checks every answer. */
export async function sendScenario(baseUrl: string): Promise<void> {
  const url = `${baseUrl}/webhooks/crm`;
  const keys = { superOfficeSecret: exampleKeys.superOfficeSecret, highLevelKey: exampleKeys.highLevel.privateKey, hubSpotSecret: exampleKeys.hubSpotSecret, url };
  for (const step of scenario({ ...keys, attioSecret: exampleKeys.attioSecret, dataverseKey: exampleKeys.dataverseKey })) {
    const answer = await post(url, step.delivery);
    expect(answer.status, `${step.provider} ${step.event} ${step.note ?? ''}`).toBe(step.expectedStatus);
  }
}

/** Sends the demo scenario to an example app and checks every answer and the resulting links. */
export async function expectScenario(baseUrl: string): Promise<void> {
  await sendScenario(baseUrl);
  const links = await fetch(`${baseUrl}/links`);
  expect(await links.json()).toEqual(linksAfterScenario(true, true));
}
