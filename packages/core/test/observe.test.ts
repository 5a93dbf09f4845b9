import { Writable } from 'node:stream';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createWebhooks, highlevel, superoffice, type LoggerOption } from '@crmhooks/core';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, signSuperOffice, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'observe-secret-do-not-log';
const keys = generateHighLevelKeyPair();
const receiver = (logger?: LoggerOption) =>
  createWebhooks({ providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })], ...(logger !== undefined && { logger }) });
const forged = () => superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') });
const genuine = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe('logging', () => {
  afterEach(() => void vi.restoreAllMocks());

  test('by default, a rejected delivery is a console warning and a failed one a console error, each once, with the fix', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const webhooks = receiver();
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('database down');
    });
    await webhooks.receive(forged());
    await webhooks.receive(genuine('log-1'));
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(/^crmhooks: 401 signature_invalid \(superoffice\): X-SuperOffice-Signature does not match .*Check that superoffice\(\{ secret \}\)/),
    ]);
    expect(error.mock.calls).toHaveLength(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/^crmhooks: handler_failed \(superoffice, tenant Cust26759\): A handler failed for superoffice.relation.created \(delivery log-1\): database down/);
    expect(error.mock.calls[0]![1]).toBeInstanceOf(Error); // printed with its stack
  });

  test('logger: false is silent', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const webhooks = receiver(false);
    webhooks.on('superoffice.relation.created', () => Promise.reject(new Error('x')));
    await webhooks.receive(forged());
    await webhooks.receive(genuine('quiet-1'));
    expect([warn.mock.calls, error.mock.calls]).toEqual([[], []]);
  });

  test('pino gets the fields as fields, the handler error with its stack, and never a secret, a signature or the body', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(JSON.parse(String(chunk))), done()) });
    const webhooks = receiver(pino({ level: 'warn' }, sink));
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('database down');
    });
    const forgery = forged();
    await webhooks.receive(forgery);
    const failed = genuine('pino-1');
    await webhooks.receive(failed);
    const malformed = '{"Event": not json';
    await webhooks.receive({ headers: { 'x-superoffice-signature': signSuperOffice(malformed, secret) }, body: malformed });
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, code: 'signature_invalid', status: 401, provider: 'superoffice', msg: expect.stringMatching(/does not match/) }),
      expect.objectContaining({
        level: 50,
        code: 'handler_failed',
        provider: 'superoffice',
        event: 'superoffice.relation.created',
        deliveryId: 'pino-1',
        tenant: 'Cust26759',
        err: expect.objectContaining({ message: 'database down', stack: expect.stringContaining('observe.test.ts') }),
      }),
      expect.objectContaining({ level: 40, code: 'payload_invalid', status: 400 }),
    ]);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(forgery.headers['x-superoffice-signature']);
    expect(logged).not.toContain('not json');
    expect(logged).not.toContain('Relation Webhook'); // a value from the body (its tenant, ContextIdentifier, is logged on purpose)
  });
});

describe('a flood of forged requests does not flood the log', () => {
  afterEach(() => void vi.useRealTimers());

  test('per provider and code, five lines a minute and then one with the count; a genuine failure in the middle is logged', async () => {
    vi.useFakeTimers();
    const lines: { level: string; code: string; message: string }[] = [];
    const webhooks = receiver({
      warn: (fields, message) => void lines.push({ level: 'warn', code: fields.code, message }),
      error: (fields, message) => void lines.push({ level: 'error', code: fields.code, message }),
    });
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('database down');
    });
    const malformed = { headers: { 'x-superoffice-signature': signSuperOffice('{', secret) }, body: '{' };
    for (let index = 0; index < 2_000; index += 1) {
      await webhooks.receive(forged());
      if (index % 100 === 0) await webhooks.receive(malformed);
      if (index === 1_000) await webhooks.receive(genuine('flood-1'));
    }
    const count = (level: string, code: string) => lines.filter((line) => line.level === level && line.code === code).length;
    expect([count('warn', 'signature_invalid'), count('warn', 'payload_invalid'), count('error', 'handler_failed')]).toEqual([5, 5, 1]);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines.slice(-2).map((line) => line.message)).toEqual([
      'Another 1995 requests claiming to come from superoffice were refused with signature_invalid in the last 60 s; only the first 5 were logged one by one (see them for the cause and the fix).',
      'Another 15 requests claiming to come from superoffice were refused with payload_invalid in the last 60 s; only the first 5 were logged one by one (see them for the cause and the fix).',
    ]);
    // A new minute, a new budget.
    await webhooks.receive(forged());
    expect(count('warn', 'signature_invalid')).toBe(7);
    expect(lines).toHaveLength(14);
  });
});

describe('OpenTelemetry (real SDK, in-memory exporters)', () => {
  const spans = new InMemorySpanExporter();
  const metricsExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricsExporter, exportIntervalMillis: 3_600_000 });
  const contextManager = new AsyncLocalStorageContextManager().enable();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });

  test('one span per delivery, a child span per event that handler spans nest under, and delivery and duration metrics', async () => {
    const webhooks = receiver(false);
    const tracer = trace.getTracer('app');
    webhooks.on('association.created', async (link) => {
      await tracer.startActiveSpan('app.save-link', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        span.end();
      });
      if (link.provider === 'highlevel') throw new Error('cannot save');
    });
    await webhooks.receive(genuine('otel-1'));
    await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey, webhookId: 'otel-2' }));
    await webhooks.receive(forged());

    const finished = spans.getFinishedSpans();
    const byName = (name: string) => finished.filter((span) => span.name === name);
    const receives = byName('crmhooks.receive');
    expect(receives.map((span) => [span.attributes['crmhooks.provider'], span.attributes['crmhooks.outcome'], span.attributes['http.response.status_code']])).toEqual([
      ['superoffice', 'handled', 200],
      ['highlevel', 'handler_failed', 429],
      ['superoffice', 'signature_invalid', 401],
    ]);
    expect(receives[0]!.attributes['crmhooks.delivery.ids']).toEqual(['otel-1']);
    expect(receives[1]!.attributes['error.type']).toBe('handler_failed');
    expect(receives[1]!.status.code).toBe(2); // ERROR
    expect(receives[0]!.events.map((event) => event.name)).toEqual(['crmhooks.verified']);

    const handles = byName('crmhooks.handle');
    const saves = byName('app.save-link');
    expect(handles).toHaveLength(2);
    for (const [index, handle] of handles.entries()) {
      expect(handle.parentSpanContext?.spanId).toBe(receives[index]!.spanContext().spanId);
      expect(saves[index]!.parentSpanContext?.spanId).toBe(handle.spanContext().spanId);
    }
    expect(handles[1]!.events.map((event) => event.name)).toContain('exception');

    await reader.forceFlush();
    const exported = metricsExporter.getMetrics().flatMap((resource) => resource.scopeMetrics).filter((scope) => scope.scope.name === '@crmhooks/core');
    const metric = (name: string) => exported.flatMap((scope) => scope.metrics).find((one) => one.descriptor.name === name)!;
    const deliveries = metric('crmhooks.deliveries').dataPoints.map((point) => [point.attributes['crmhooks.outcome'], point.value]);
    expect(deliveries).toEqual(expect.arrayContaining([['handled', 1], ['handler_failed', 1], ['signature_invalid', 1]]));
    const durations = metric('crmhooks.handler.duration');
    expect(durations.descriptor.unit).toBe('s');
    expect(durations.dataPoints.map((point) => point.attributes['crmhooks.outcome']).sort()).toEqual(['failed', 'handled']);
  });
});
