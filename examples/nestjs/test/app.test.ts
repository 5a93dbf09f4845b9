import { NestFactory } from '@nestjs/core';
import { afterEach, beforeEach, test } from 'vitest';
import { expectScenario, exampleSettings } from '../../../test/support/example-scenario.js';

const env = { ...process.env };
beforeEach(() => {
  // The module reads its settings from the environment, as in production.
  process.env.SUPEROFFICE_WEBHOOK_SECRET = exampleSettings.superOfficeSecret;
  process.env.HIGHLEVEL_PUBLIC_KEY = exampleSettings.highLevelPublicKeys[0];
  process.env.HUBSPOT_CLIENT_SECRET = exampleSettings.hubSpotClientSecret;
});
afterEach(() => {
  process.env = { ...env };
});

test('the NestJS example answers the demo scenario and keeps its link index', async () => {
  const { AppModule } = await import('../src/app.module.js');
  const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
  await app.listen(0, '127.0.0.1');
  try {
    await expectScenario((await app.getUrl()).replace('[::1]', '127.0.0.1'));
  } finally {
    await app.close();
  }
});
