import { NestFactory } from '@nestjs/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { linksAfterScenario } from '@crmhooks/example-links';
import { expectScenario, exampleSettings, sendScenario } from '../../../test/support/example-scenario.js';
import { redisServerAvailable, startRedis } from '../../../test/support/redis-server.js';

const env = { ...process.env };
beforeEach(() => {
  // The module reads its settings from the environment, as in production.
  process.env.SUPEROFFICE_WEBHOOK_SECRET = exampleSettings.superOfficeSecret;
  process.env.HIGHLEVEL_PUBLIC_KEY = exampleSettings.highLevelPublicKeys[0];
  process.env.HUBSPOT_CLIENT_SECRET = exampleSettings.hubSpotClientSecret;
  process.env.ATTIO_WEBHOOK_SECRET = exampleSettings.attioSecret;
  process.env.DATAVERSE_WEBHOOK_KEY = exampleSettings.dataverseKey;
});
afterEach(() => {
  process.env = { ...env };
});

test('the NestJS example answers the demo scenario and keeps its link table', async () => {
  const { AppModule } = await import('../src/app.module.js');
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  try {
    await expectScenario((await app.getUrl()).replace('[::1]', '127.0.0.1'));
  } finally {
    await app.close();
  }
});

describe.runIf(redisServerAvailable())('with REDIS_URL', () => {
  test('receiving and running the decorated handlers from a BullMQ queue in one app (CRM_MODE both)', async () => {
    const redis = await startRedis();
    process.env.REDIS_URL = redis.url;
    const { AppModule } = await import('../src/app.module.js');
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      await sendScenario(url);
      await expect.poll(async () => (await fetch(`${url}/links`)).json(), { timeout: 60_000 }).toEqual(linksAfterScenario(true, true));
    } finally {
      await app.close();
      await redis.stop();
    }
  });
});
