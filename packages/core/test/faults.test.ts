import { describe, expect, test } from 'vitest';
import { createWebhooks, HandlerError, HandlerTimeoutError, superoffice, type IdempotencyStore, type WebhookError } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'faults-secret';
const delivery = () => superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults', () => {
  test('a handler that never settles: 500 after handlerTimeoutMs, the id is released, the retry is handled', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], handlerTimeoutMs: 50 });
    const reported: WebhookError[] = [];
    webhooks.onError((error) => void reported.push(error));
    let calls = 0;
    webhooks.on('superoffice.relation.created', () => {
      calls += 1;
      return calls === 1 ? new Promise(() => undefined) : undefined; // the first call hangs forever
    });
    const first = await webhooks.receive(delivery());
    expect([first.status, first.error?.code]).toEqual([500, 'handler_failed']);
    expect((reported[0] as HandlerError).errors[0]).toBeInstanceOf(HandlerTimeoutError);
    const retry = await webhooks.receive(delivery());
    expect(retry.status).toBe(200);
    expect(calls).toBe(2);
  });

  test('a rejecting handler: 500, released, retry handled', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret })] });
    let calls = 0;
    webhooks.on('superoffice.relation.created', async () => {
      calls += 1;
      if (calls === 1) throw new Error('rejected');
    });
    expect((await webhooks.receive(delivery())).status).toBe(500);
    expect((await webhooks.receive(delivery())).status).toBe(200);
  });

  test('acknowledgeAfterMs answers a slow delivery 200 early; a later failure is reported, not retried', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], acknowledgeAfterMs: 20 });
    const reported: WebhookError[] = [];
    webhooks.onError((error) => void reported.push(error));
    webhooks.on('superoffice.relation.created', async () => {
      await sleep(80);
      throw new Error('failed after the answer');
    });
    const started = Date.now();
    const answer = await webhooks.receive(delivery());
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(80);
    await sleep(120);
    expect(reported.map((error) => error.code)).toEqual(['handler_failed']);
    expect((await webhooks.receive(delivery())).body).toEqual({ ok: true, duplicate: true });
  });

  test('a store that never answers: 503 after storeTimeoutMs, nothing dispatched', async () => {
    const hanging: IdempotencyStore = { claim: () => new Promise(() => undefined), complete: () => undefined, release: () => undefined };
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store: hanging, storeTimeoutMs: 30 });
    let calls = 0;
    webhooks.on('superoffice.relation.created', () => void (calls += 1));
    const answer = await webhooks.receive(delivery());
    expect([answer.status, answer.error?.code, calls]).toEqual([503, 'store_unavailable', 0]);
    expect(answer.error?.message).toMatch(/no answer within 30 ms/);
  });

  test('timeouts are checked at construction', () => {
    expect(() => createWebhooks({ providers: [superoffice({ secret })], handlerTimeoutMs: 0 })).toThrow(/handlerTimeoutMs/);
  });
});
