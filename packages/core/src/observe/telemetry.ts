import { context, metrics, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { EventReference } from '../errors/delivery-errors.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { EventResult, ReceiveOutcome } from '../receive/outcome.js';

const SCOPE = '@crmhooks/core';

/**
 * OpenTelemetry for one receiver, through `@opentelemetry/api` only: a no-op until the
 * application starts an SDK. Spans: `crmhooks.receive` per delivery, `crmhooks.handle` per
 * event (active while its handlers run, so their own spans nest under it). Metrics:
 * `crmhooks.deliveries` (counter) and `crmhooks.handler.duration` (histogram, seconds). Each carries
 * `crmhooks.tenant` where the delivery names its customer: with many customers, mind your metrics
 * backend's cardinality limit (drop the attribute with an SDK View if you do not need it).
 * Instruments are made with the receiver: start the SDK before creating receivers.
 */
export class Telemetry {
  readonly #tracer = trace.getTracer(SCOPE);
  readonly #deliveries = metrics.getMeter(SCOPE).createCounter('crmhooks.deliveries', {
    unit: '{delivery}',
    description: 'Deliveries received, by provider, outcome and answered status.',
  });
  readonly #handlerDuration = metrics.getMeter(SCOPE).createHistogram('crmhooks.handler.duration', {
    unit: 's',
    description: 'Time the handlers of one event took, from their start until all settled.',
  });

  /** Starts the span of one delivery. */
  startDelivery(): DeliveryTrace {
    return new DeliveryTrace(this.#tracer.startSpan('crmhooks.receive'), this.#deliveries);
  }

  /** Records how long an event's handlers took. */
  recordHandlers(event: EventReference, result: EventResult | 'timeout', seconds: number): void {
    const attributes = eventAttributes(event);
    attributes['crmhooks.outcome'] = result;
    this.#handlerDuration.record(seconds, attributes);
  }
}

/** The span of one delivery, filled in as the delivery moves along. */
export class DeliveryTrace {
  constructor(
    private readonly span: Span,
    private readonly deliveries: ReturnType<ReturnType<typeof metrics.getMeter>['createCounter']>,
  ) {}

  /** Marks a step (`crmhooks.verified`, ...) on the delivery span. */
  step(name: string, attributes?: Attributes): void {
    if (this.span.isRecording()) this.span.addEvent(name, attributes);
  }

  /** Runs the handling of one event in a child span, active so handler spans nest under it (when recording). */
  event<T extends { readonly outcome: { readonly result: EventResult }; readonly error?: Error | undefined }>(event: ProviderEvent, provider: string, handle: () => T | Promise<T>): T | Promise<T> {
    return this.span.isRecording() ? this.#traced(event, provider, handle) : handle();
  }

  async #traced<T extends { readonly outcome: { readonly result: EventResult }; readonly error?: Error | undefined }>(event: ProviderEvent, provider: string, handle: () => T | Promise<T>): Promise<T> {
    const parent = trace.setSpan(context.active(), this.span);
    const span = trace.getTracer(SCOPE).startSpan(
      'crmhooks.handle',
      { attributes: { ...eventAttributes({ ...event, provider }), 'crmhooks.delivery.id': event.deliveryId } },
      parent,
    );
    try {
      const handled = await context.with(trace.setSpan(parent, span), handle);
      span.setAttribute('crmhooks.outcome', handled.outcome.result);
      if (handled.error) {
        span.recordException(handled.error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: handled.error.message });
      }
      return handled;
    } finally {
      span.end();
    }
  }

  /** Ends the delivery span with its outcome, and counts the delivery. */
  end(outcome: ReceiveOutcome): void {
    const error = outcome.error;
    const result = error ? error.code : 'duplicate' in outcome.body ? 'duplicate' : 'handled';
    const attributes: Attributes = {
      'crmhooks.provider': outcome.provider ?? 'unknown',
      'crmhooks.outcome': result,
      'http.response.status_code': outcome.status,
    };
    const tenant = outcome.events[0]?.tenant;
    // A batch (HubSpot) could name several customers: the attribute is set only when it names one.
    if (tenant !== undefined && outcome.events.every((event) => event.tenant === tenant)) attributes['crmhooks.tenant'] = tenant;
    if (error) attributes['error.type'] = error.code;
    this.deliveries.add(1, attributes);
    if (!this.span.isRecording()) return;
    this.span.setAttributes(attributes);
    if (outcome.events.length > 0) {
      this.span.setAttribute('crmhooks.event.names', [...new Set(outcome.events.map((event) => event.name))]);
      this.span.setAttribute('crmhooks.delivery.ids', outcome.events.map((event) => event.deliveryId));
    }
    if (error) {
      this.span.recordException(error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
    }
    this.span.end();
  }
}

/** The attributes naming an event: its provider, name and, when it names one, its tenant. */
function eventAttributes(event: Pick<EventReference, 'provider' | 'name' | 'tenant'>): Attributes {
  const attributes: Attributes = { 'crmhooks.provider': event.provider, 'crmhooks.event.name': event.name };
  if (event.tenant !== undefined) attributes['crmhooks.tenant'] = event.tenant;
  return attributes;
}
