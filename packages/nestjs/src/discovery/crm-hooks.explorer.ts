import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { CrmEventMap, CrmWebhooks, EventContext } from '@crmhooks/core';
import { CRM_EVENT_SUBSCRIPTIONS, CRM_WEBHOOKS } from '../constants.js';
import { passesFilter, type CrmEventSubscription } from '../decorators/subscription.js';

type AnyMethod = (payload: unknown, context: EventContext) => unknown;
type Wrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds every decorated method of every provider and controller at bootstrap
 * (the @nestjs/event-emitter way) and subscribes it to the receiver.
 */
@Injectable()
export class CrmHooksExplorer implements OnModuleInit {
  readonly #logger = new Logger('CrmHooks');

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(CRM_WEBHOOKS) private readonly webhooks: CrmWebhooks<CrmEventMap>,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      this.#subscribe(wrapper);
    }
  }

  #subscribe(wrapper: Wrapper): void {
    // An alias (`{ provide: 'X', useExisting: LinkSync }`) is the same instance as LinkSync: subscribe it once.
    if (wrapper.isAlias) return;
    const prototype: object | undefined = wrapper.metatype?.prototype ?? Object.getPrototypeOf(wrapper.instance ?? {});
    if (!prototype || prototype === Object.prototype) return;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      const subscriptions: CrmEventSubscription[] | undefined =
        typeof method === 'function' ? Reflect.getMetadata(CRM_EVENT_SUBSCRIPTIONS, method) : undefined;
      if (!subscriptions?.length) continue;
      const where = `${wrapper.name === undefined ? 'a provider' : String(wrapper.name)}.${methodName}()`;
      if (!wrapper.isDependencyTreeStatic()) {
        // Deliveries do not come through Nest's request pipeline, so there is no request to scope to.
        throw new Error(
          `${where} handles CRM events, but its class is request-scoped (or depends on a request-scoped provider). ` +
            'CRM deliveries have no Nest request context: keep the handler in a default-scoped provider and ' +
            'resolve request-scoped services inside it with ModuleRef.resolve() if needed.',
        );
      }
      const instance = wrapper.instance as Record<string, AnyMethod>;
      for (const subscription of subscriptions) {
        this.webhooks.on(subscription.events as never, ((payload: unknown, context: EventContext) =>
          passesFilter(subscription.filter, payload) ? instance[methodName]!(payload, context) : undefined) as never);
      }
      this.#logger.log(`${where} subscribed to ${subscriptions.flatMap((s) => s.events).join(', ')}`);
    }
  }
}
