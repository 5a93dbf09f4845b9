import { createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ConfigurationError,
  createWebhooks,
  highlevel,
  HIGHLEVEL_ED25519_PUBLIC_KEY,
  HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY,
  type HighLevelOptions,
  type ReceiveOutcome,
} from '@crmhooks/core';
import {
  generateHighLevelKeyPair,
  generateLegacyRsaKeyPair,
  HIGHLEVEL_SAMPLE_EVENTS,
  highLevelDelivery,
  highLevelSample,
  type TestKeyPair,
} from '@crmhooks/core/testing';

const keys = generateHighLevelKeyPair();
const rotatedKeys = generateHighLevelKeyPair();
let legacyKeys: TestKeyPair;
beforeAll(() => {
  legacyKeys = generateLegacyRsaKeyPair(4096);
});

function receiver(options: HighLevelOptions = { publicKeys: keys.publicKey }) {
  const webhooks = createWebhooks({ providers: [highlevel(options)], logger: false });
  const calls: { name: string; deliveryId: string; payload: unknown }[] = [];
  webhooks.onAny((event) => void calls.push({ name: event.name, deliveryId: event.deliveryId, payload: event.payload }));
  return { webhooks, calls };
}

const errorMessage = (outcome: ReceiveOutcome) => ('error' in outcome.body ? outcome.body.error.message : '');

describe('HighLevel deliveries', () => {
  test.each(HIGHLEVEL_SAMPLE_EVENTS)('%s reaches its typed handler', async (type) => {
    const { webhooks, calls } = receiver();
    const received: unknown[] = [];
    webhooks.on(`highlevel.${type}`, (event) => void received.push(event));
    const outcome = await webhooks.receive(
      highLevelDelivery({ type, payload: highLevelSample(type), privateKey: keys.privateKey, webhookId: `wh-${type}` }),
    );
    expect(outcome.status).toBe(200);
    expect(received).toEqual([expect.objectContaining({ ...highLevelSample(type), type, webhookId: `wh-${type}` })]);
    expect(calls).toEqual([expect.objectContaining({ name: `highlevel.${type}`, deliveryId: `wh-${type}` })]);
  });

  test('association definitions and record relations become association events', async () => {
    const { webhooks } = receiver();
    const links: unknown[] = [];
    webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => {
      links.push({ action: link.action, level: link.level, id: link.id, definitionId: link.definitionId, from: link.from, to: link.to });
    });
    for (const type of HIGHLEVEL_SAMPLE_EVENTS) {
      await webhooks.receive(highLevelDelivery({ type, payload: highLevelSample(type), privateKey: keys.privateKey }));
    }
    const buyerType = { objectType: 'custom_objects.real_estate_buyer', label: 'Interested Buyer' };
    const propertyType = { objectType: 'custom_objects.property', label: 'Property' };
    const definition = { level: 'definition', id: '67ade73d1119d2ac7ad0c475', definitionId: '67ade73d1119d2ac7ad0c475', from: buyerType, to: propertyType };
    const record = {
      level: 'record',
      id: '67b0c6a2f1e9d4001a7c3b21',
      definitionId: '67ade73d1119d2ac7ad0c475',
      from: { objectType: 'custom_objects.real_estate_buyer', recordId: '67b0c5f8a3d2e1001b9e4c10' },
      to: { objectType: 'custom_objects.property', recordId: '67b0c60be7f4a2001c2d5e87' },
    };
    expect(links).toEqual([
      { action: 'created', ...definition },
      { action: 'updated', ...definition },
      { action: 'deleted', ...definition },
      { action: 'created', ...record },
      { action: 'deleted', ...record },
    ]);
  });

  test('any other type is dispatched under its own name', async () => {
    const { webhooks, calls } = receiver();
    let email: unknown;
    webhooks.on('highlevel.ContactCreate', (event) => {
      email = event.email;
    });
    const outcome = await webhooks.receive(
      highLevelDelivery({ type: 'ContactCreate', payload: { id: 'c1', email: 'buyer@example.com' }, privateKey: keys.privateKey }),
    );
    expect(outcome.status).toBe(200);
    expect(email).toBe('buyer@example.com');
    expect(calls[0]?.name).toBe('highlevel.ContactCreate');
  });

  test('a sample names its own event: no type option needed', async () => {
    const { webhooks, calls } = receiver();
    const outcome = await webhooks.receive(highLevelDelivery({ payload: highLevelSample('AssociationDelete'), privateKey: keys.privateKey }));
    expect(outcome.status).toBe(200);
    expect(calls[0]?.name).toBe('highlevel.AssociationDelete');
  });

  test('a payload without type is named by the pinned event; without a pin it is a 400 that says how', async () => {
    const { type: _named, ...untyped } = highLevelSample('RelationCreate');
    const delivery = highLevelDelivery({ payload: untyped, privateKey: keys.privateKey });
    const unpinned = await receiver().webhooks.receive(delivery);
    expect(unpinned.status).toBe(400);
    expect(errorMessage(unpinned)).toMatch(/no "type" field.*highlevel\(\{ event: 'RelationCreate' \}\)/);

    const { webhooks, calls } = receiver({ publicKeys: keys.publicKey, event: 'RelationCreate' });
    const pinned = await webhooks.receive(delivery);
    expect(pinned.status).toBe(200);
    expect(calls[0]?.name).toBe('highlevel.RelationCreate');
  });

  test('the body type wins over the pinned event', async () => {
    const { webhooks, calls } = receiver({ publicKeys: keys.publicKey, event: 'RelationCreate' });
    await webhooks.receive(
      highLevelDelivery({ type: 'RelationDelete', payload: highLevelSample('RelationDelete'), privateKey: keys.privateKey }),
    );
    expect(calls[0]?.name).toBe('highlevel.RelationDelete');
  });

  test('webhookId is the delivery id: a duplicate is answered 200 and not dispatched', async () => {
    const { webhooks, calls } = receiver();
    const delivery = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey, webhookId: 'wh-1' });
    const first = await webhooks.receive(delivery);
    const again = await webhooks.receive(delivery);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.events[0]?.result).toBe('duplicate');
    expect(calls.map((call) => call.deliveryId)).toEqual(['wh-1']);
  });

  test('without webhookId the delivery id derives from the signed bytes, so a retry is a duplicate', async () => {
    const { webhooks, calls } = receiver();
    const make = (recordId: string) =>
      highLevelDelivery({
        type: 'RelationCreate',
        payload: { ...highLevelSample('RelationCreate'), firstRecordId: recordId },
        privateKey: keys.privateKey,
        webhookId: null,
        timestamp: null,
      });
    const original = make('r-1');
    await webhooks.receive(original);
    const retry = await webhooks.receive(make('r-1'));
    const other = await webhooks.receive(make('r-2'));
    expect(retry.events[0]?.result).toBe('duplicate');
    expect(other.events[0]?.result).toBe('handled');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.deliveryId).toMatch(/^sha256:/);
    expect(calls[0]?.deliveryId).not.toBe(calls[1]?.deliveryId);
  });
});

describe('HighLevel signatures', () => {
  const payload = highLevelSample('RelationCreate');

  test("HighLevel's published keys are trusted by default and parse as Ed25519 and RSA-4096", async () => {
    expect(createPublicKey(HIGHLEVEL_ED25519_PUBLIC_KEY).asymmetricKeyType).toBe('ed25519');
    const rsa = createPublicKey(HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY);
    expect([rsa.asymmetricKeyType, rsa.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 4096]);
    // Only HighLevel holds the private key, so a delivery we sign must be refused by the default receiver.
    const { webhooks, calls } = receiver({});
    const outcome = await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey }));
    expect(outcome.status).toBe(401);
    expect(errorMessage(outcome)).toMatch(/X-GHL-Signature does not verify .* the trusted public key/);
    expect(calls).toHaveLength(0);
  });

  test('a delivery signed with another key is answered 401 and nothing is dispatched', async () => {
    const { webhooks, calls } = receiver();
    const outcome = await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload, privateKey: rotatedKeys.privateKey }));
    expect(outcome.status).toBe(401);
    expect(outcome.error?.code).toBe('signature_invalid');
    expect(calls).toHaveLength(0);
  });

  test('several keys are trusted at once (rotation); KeyObjects work as well as PEM', async () => {
    const { webhooks, calls } = receiver({ publicKeys: [keys.publicKey, createPublicKey(rotatedKeys.publicKey)] });
    for (const privateKey of [keys.privateKey, rotatedKeys.privateKey]) {
      const outcome = await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload, privateKey }));
      expect(outcome.status).toBe(200);
    }
    expect(calls).toHaveLength(2);
  });

  test('the signature of another body is rejected', async () => {
    const { webhooks, calls } = receiver();
    const genuine = highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey });
    const other = highLevelDelivery({ type: 'RelationDelete', payload, privateKey: keys.privateKey });
    const outcome = await webhooks.receive({ headers: other.headers, body: genuine.body });
    expect(outcome.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  test('N/A counts as no signature', async () => {
    const { webhooks, calls } = receiver();
    const outcome = await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload }));
    expect(outcome.status).toBe(401);
    expect(outcome.error?.code).toBe('signature_missing');
    expect(errorMessage(outcome)).toMatch(/missing or "N\/A"/);
    expect(calls).toHaveLength(0);
  });

  test('a garbage signature is a 401, not a crash', async () => {
    const { webhooks } = receiver();
    const delivery = highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey });
    const outcome = await webhooks.receive({ ...delivery, headers: { ...delivery.headers, 'x-ghl-signature': '%%%not base64' } });
    expect(outcome.status).toBe(401);
  });

  test('the legacy RSA signature is refused unless opted in, with a message that says how', async () => {
    const delivery = highLevelDelivery({ type: 'RelationCreate', payload, legacyPrivateKey: legacyKeys.privateKey });
    const refused = await receiver().webhooks.receive(delivery);
    expect(refused.status).toBe(401);
    expect(errorMessage(refused)).toMatch(/acceptLegacyRsa: true/);

    const { webhooks, calls } = receiver({ publicKeys: keys.publicKey, acceptLegacyRsa: true, legacyPublicKeys: legacyKeys.publicKey });
    expect((await webhooks.receive(delivery)).status).toBe(200);
    const forged = highLevelDelivery({ type: 'RelationDelete', payload, legacyPrivateKey: generateLegacyRsaKeyPair(2048).privateKey });
    expect((await webhooks.receive(forged)).status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  test('X-GHL-Signature is used whenever present, even if a legacy signature is valid', async () => {
    const { webhooks, calls } = receiver({ publicKeys: keys.publicKey, acceptLegacyRsa: true, legacyPublicKeys: legacyKeys.publicKey });
    const body = JSON.stringify({ type: 'RelationCreate', ...payload });
    const valid = highLevelDelivery({ payload: body, legacyPrivateKey: legacyKeys.privateKey, privateKey: rotatedKeys.privateKey });
    const outcome = await webhooks.receive(valid);
    expect(outcome.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  test('keys are checked at construction', () => {
    expect(() => highlevel({ publicKeys: 'not a key' })).toThrow(ConfigurationError);
    expect(() => highlevel({ publicKeys: HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY })).toThrow(/is a rsa key, but .* needs ed25519/);
    expect(() => highlevel({ publicKeys: [] })).toThrow(/at least one public key/);
    expect(() => highlevel({ publicKeys: '' })).toThrow(
      /^highlevel\(\{ publicKeys \}\) is an empty string: it must be a public key in PEM text\. If it is read from an environment variable, that variable is not set/,
    );
    expect(() => highlevel({ publicKeys: keys.privateKey })).toThrow(/is a private key/);
    expect(() => highlevel({ legacyPublicKeys: legacyKeys.publicKey })).toThrow(/without acceptLegacyRsa/);
  });
});

describe('HighLevel replay window', () => {
  const payload = highLevelSample('RelationCreate');
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

  test('defaults to 24 h: a six-hour-old retry is accepted, a two-day-old delivery is refused naming its age and the option', async () => {
    const { webhooks, calls } = receiver();
    const send = (msAgo: number) =>
      webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey, timestamp: at(msAgo) }));
    expect((await send(6 * 3600_000)).status).toBe(200);
    const old = await send(48 * 3600_000);
    expect([old.status, old.error?.code]).toEqual([401, 'timestamp_outside_window']);
    expect(errorMessage(old)).toMatch(/signed timestamp is 2 days old, outside the 24 h replay window.*widen highlevel\(\{ replayWindowMs \}\)/);
    expect(calls).toHaveLength(1);
  });

  test('a narrower window refuses timestamps outside it, past and future; a body without timestamp cannot be checked', async () => {
    const { webhooks, calls } = receiver({ publicKeys: keys.publicKey, replayWindowMs: 5 * 60_000 });
    const send = (timestamp: string | null) =>
      webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey, timestamp }));
    const old = await send(at(10 * 60_000));
    expect([old.status, old.error?.code]).toEqual([401, 'timestamp_outside_window']);
    expect(errorMessage(old)).toMatch(/10 min old, outside the 5 min replay window/);
    expect(errorMessage(await send(at(-10 * 60_000)))).toMatch(/10 min in the future/);
    expect((await send(at(60_000))).status).toBe(200);
    expect((await send(null)).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  test('false turns it off; a window must be positive', async () => {
    const { webhooks } = receiver({ publicKeys: keys.publicKey, replayWindowMs: false });
    const ancient = highLevelDelivery({ type: 'RelationCreate', payload, privateKey: keys.privateKey, timestamp: '2020-01-01T00:00:00Z' });
    expect((await webhooks.receive(ancient)).status).toBe(200);
    expect(() => highlevel({ replayWindowMs: 0 })).toThrow(ConfigurationError);
  });
});
