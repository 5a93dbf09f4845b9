import { describe, expect, test } from 'vitest';
import { createWebhooks, HandlerError, superoffice, type WebhookError } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'dispatch-secret';
const delivery = (eventId = 'evt-1') =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const newReceiver = () => createWebhooks({ providers: [superoffice({ secret })], logger: false });

/** A promise with its resolver exposed, to order concurrent steps without sleeping. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('dispatch', () => {
  test('handlers of one delivery run concurrently', async () => {
    const webhooks = newReceiver();
    const firstStarted = deferred();
    const secondStarted = deferred();
    // Each handler waits for the other to start: run one after the other, this would never settle.
    webhooks.on('superoffice.relation.created', async () => {
      firstStarted.resolve();
      await secondStarted.promise;
    });
    webhooks.on('association.created', async () => {
      secondStarted.resolve();
      await firstStarted.promise;
    });
    const outcome = await webhooks.receive(delivery());
    expect(outcome.status).toBe(200);
  });

  test('the delivery is answered only once every handler has settled', async () => {
    const webhooks = newReceiver();
    const release = deferred();
    let finished = false;
    webhooks.on('superoffice.relation.created', async () => {
      await release.promise;
      finished = true;
    });
    const pending = webhooks.receive(delivery());
    let answered = false;
    void pending.then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    release.resolve();
    expect((await pending).status).toBe(200);
    expect(finished).toBe(true);
  });

  test('failing handlers answer 500 with an error carrying every handler error and the event', async () => {
    const webhooks = newReceiver();
    const reported: WebhookError[] = [];
    webhooks.onError((error) => void reported.push(error));
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('database down');
    });
    webhooks.on('association.created', async () => Promise.reject(new Error('queue full')));
    webhooks.on('superoffice.relation.created', () => 'fine');

    const outcome = await webhooks.receive(delivery());
    expect(outcome.status).toBe(500);
    expect(outcome.body).toEqual({
      error: { code: 'handler_failed', message: expect.stringMatching(/A handler failed for superoffice.relation.created/) },
    });
    // Internal details stay out of the answer sent to the CRM.
    expect(JSON.stringify(outcome.body)).not.toMatch(/database down|queue full/);

    expect(reported).toHaveLength(1);
    const error = reported[0] as HandlerError;
    expect(error).toBeInstanceOf(HandlerError);
    expect(error.errors.map((e) => (e as Error).message).sort()).toEqual(['database down', 'queue full']);
    expect(error.event).toEqual({ name: 'superoffice.relation.created', provider: 'superoffice', deliveryId: 'evt-1', tenant: 'Cust26759' });
    expect(error.message).toMatch(/2 handlers failed .* the retry will be dispatched again/);
    expect(error.message).not.toMatch(/queue full/); // the first error names the failure; all are in `errors`
    expect(outcome.error).toBe(error);
  });

  test("after a failure the provider's retry is dispatched again, then later copies are duplicates", async () => {
    const webhooks = newReceiver();
    let attempts = 0;
    webhooks.on('superoffice.relation.created', () => {
      attempts += 1;
      if (attempts === 1) throw new Error('transient');
    });
    const first = await webhooks.receive(delivery());
    const retry = await webhooks.receive(delivery());
    const late = await webhooks.receive(delivery());
    expect([first.status, retry.status, late.status]).toEqual([500, 200, 200]);
    expect(late.events[0]?.result).toBe('duplicate');
    expect(attempts).toBe(2);
  });

  test('an error handler that throws or rejects does not break the receiver', async () => {
    const webhooks = newReceiver();
    const seen: string[] = [];
    webhooks.onError(() => {
      throw new Error('logger broke');
    });
    webhooks.onError(async () => Promise.reject(new Error('async logger broke')));
    webhooks.onError((error) => void seen.push(error.code));
    let attempts = 0;
    webhooks.on('superoffice.relation.created', () => {
      attempts += 1;
      if (attempts === 1) throw new Error('handler broke');
    });
    const outcome = await webhooks.receive(delivery());
    // Still the handler's failure (not an internal error), every error handler ran, and the id was released.
    expect([outcome.status, outcome.error?.code]).toEqual([500, 'handler_failed']);
    expect(seen).toEqual(['handler_failed']);
    expect((await webhooks.receive(delivery())).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
  });

  test('off, offAny and offError remove handlers', async () => {
    const webhooks = newReceiver();
    const calls: string[] = [];
    const named = () => void calls.push('named');
    const any = () => void calls.push('any');
    const onError = () => void calls.push('error');
    webhooks.on(['superoffice.relation.created', 'superoffice.relation.deleted'], named).onAny(any).onError(onError);
    await webhooks.receive(delivery('a'));
    expect(calls).toEqual(['named', 'any']);

    webhooks.off(['superoffice.relation.created', 'superoffice.relation.deleted'], named).offAny(any).offError(onError);
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('x');
    });
    await webhooks.receive(delivery('b'));
    expect(calls).toEqual(['named', 'any']);
  });

  test('a delivery with no handlers is still verified and answered 200', async () => {
    const webhooks = newReceiver();
    expect((await webhooks.receive(delivery())).status).toBe(200);
  });

  test('a provider is a self-contained module: a custom one works without touching the dispatcher', async () => {
    const webhooks = createWebhooks({
      providers: [
        {
          name: 'acme',
          displayName: 'Acme CRM',
          signatureHeaders: ['X-Acme-Token'],
          recognizes: (header) => header('x-acme-token') !== undefined,
          verify: (request) => {
            if (request.header('x-acme-token') !== 'let-me-in') throw new HandlerError({ name: 'x', provider: 'acme', deliveryId: 'x' }, []);
          },
          parse: (json) =>
            (json as { id: string }[]).map((item) => ({
              name: 'acme.link.added',
              deliveryId: item.id,
              payload: item,
              association: {
                action: 'created' as const,
                build: () => {
                  throw new Error('association built although nobody listens');
                },
              },
            })),
        },
      ],
    });
    const ids: string[] = [];
    webhooks.onAny((event) => void ids.push(event.deliveryId));
    const outcome = await webhooks.receive({ headers: { 'X-Acme-Token': 'let-me-in' }, body: '[{"id":"1"},{"id":"2"}]' });
    expect(outcome.status).toBe(200);
    expect(ids).toEqual(['1', '2']);
  });
});
