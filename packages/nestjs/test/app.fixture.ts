import { Controller, Inject, Injectable, Module, Scope, type DynamicModule, type LoggerService, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  attio,
  dataverse,
  highlevel,
  hubspot,
  superoffice,
  type AssociationEvent,
  type CrmEventMap,
  type CrmWebhooks,
  type EventContext,
  type HighLevelAssociationCreate,
  type HighLevelRelationDelete,
  type HubSpotAssociationChange,
  type SuperOfficeRelationCreated,
  type SuperOfficeRelationDeleted,
} from '@crmhooks/core';
import { generateHighLevelKeyPair } from '@crmhooks/core/testing';
import {
  CrmHooksModule,
  InjectCrmWebhooks,
  OnAssociationCreated,
  OnAssociationDeleted,
  OnAssociationUpdated,
  OnCrmEvent,
} from '@crmhooks/nestjs';

export const secret = 'nest-superoffice-secret';
export const keys = generateHighLevelKeyPair();
export const hubSpotSecret = 'nest-hubspot-secret';
export const attioSecret = 'nest-attio-secret';
export const dataverseKey = 'nest-dataverse-key';
export const receiverOptions = () => ({
  providers: [
    superoffice({ secret }),
    highlevel({ publicKeys: keys.publicKey }),
    hubspot({ clientSecret: hubSpotSecret }),
    attio({ secret: attioSecret }),
    dataverse({ key: dataverseKey }),
  ],
});

/** What the decorated methods saw: `method <- event name`, with payloads. */
@Injectable()
export class Recorder {
  readonly calls: { method: string; name: string; payload: unknown }[] = [];
  record(method: string, payload: unknown, context: EventContext): void {
    this.calls.push({ method, name: context.name, payload });
  }
  seen(): string[] {
    return this.calls.map((call) => `${call.method} <- ${call.name}`);
  }
}

/** A provider whose methods carry every kind of decorator; injected with the recorder (DI by type). */
@Injectable()
export class LinkHandlers {
  constructor(readonly recorder: Recorder) {}

  @OnCrmEvent('superoffice.relation.created')
  superOfficeCreated(event: SuperOfficeRelationCreated, context: EventContext) {
    this.recorder.record('superOfficeCreated', event.FieldValues?.destination_record, context);
  }

  @OnCrmEvent(['superoffice.relation.changed', 'superoffice.relation.deleted', 'superoffice.test'])
  superOfficeOther(event: { Event?: string }, context: EventContext) {
    this.recorder.record('superOfficeOther', event.Event, context);
  }

  @OnCrmEvent(['highlevel.AssociationCreate', 'highlevel.AssociationUpdate', 'highlevel.AssociationDelete', 'highlevel.RelationCreate'])
  highLevel(event: { id: string }, context: EventContext) {
    this.recorder.record('highLevel', event.id, context);
  }

  @OnCrmEvent('hubspot.contact.associationChange')
  hubSpot(event: HubSpotAssociationChange, context: EventContext) {
    this.recorder.record('hubSpot', event.toObjectId, context);
  }

  @OnAssociationCreated()
  anyCreated(link: AssociationEvent, context: EventContext) {
    this.recorder.record('anyCreated', `${link.provider}:${link.level}`, context);
  }

  @OnAssociationDeleted({ provider: 'superoffice' })
  superOfficeUnlinked(link: AssociationEvent<'superoffice'>, context: EventContext) {
    this.recorder.record('superOfficeUnlinked', link.id, context);
  }

  @OnAssociationCreated({ level: 'definition' })
  definitionCreated(link: AssociationEvent, context: EventContext) {
    this.recorder.record('definitionCreated', link.from.objectType, context);
  }

  // Two decorators on one method.
  @OnAssociationUpdated()
  @OnAssociationDeleted({ provider: 'highlevel', level: 'record' })
  changedOrUnlinked(link: AssociationEvent, context: EventContext) {
    this.recorder.record('changedOrUnlinked', `${link.provider}:${link.action}`, context);
  }
}

/** Handlers may live in controllers too. */
@Controller()
export class HighLevelController {
  constructor(@Inject(Recorder) private readonly recorder: Recorder) {}

  @OnCrmEvent('highlevel.RelationDelete')
  relationDeleted(event: HighLevelRelationDelete, context: EventContext) {
    this.recorder.record('controller', event.secondRecordId, context);
  }
}

/** Fails once, then succeeds: the CRM's retry must be dispatched again. */
@Injectable()
export class FlakyHandler {
  failuresLeft = 1;
  constructor(readonly recorder: Recorder) {}

  @OnCrmEvent('highlevel.AssociationCreate')
  flaky(event: HighLevelAssociationCreate, context: EventContext) {
    if (this.failuresLeft-- > 0) throw new Error('database unavailable');
    this.recorder.record('flaky', event.key, context);
  }
}

@Injectable({ scope: Scope.REQUEST })
export class RequestScopedHandler {
  @OnCrmEvent('superoffice.relation.deleted')
  deleted(_event: SuperOfficeRelationDeleted) {}
}

/** Subscribes by hand through the injected receiver, next to the decorators. */
@Injectable()
export class ManualSubscriber {
  constructor(@InjectCrmWebhooks() webhooks: CrmWebhooks<CrmEventMap>, recorder: Recorder) {
    webhooks.onAny((event) => recorder.record('manual', event.deliveryId, event));
  }
}

export type Platform = 'express' | 'fastify';

/** A captured Nest logger, to check what the module logs through Nest's Logger. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) { this.lines.push(`log ${String(message)}`); }
  error(message: unknown, ...params: unknown[]) {
    // Nest's Logger appends its context; a stack is the multi-line string before it.
    const stack = params.find((param): param is string => typeof param === 'string' && param.includes('\n'));
    this.lines.push(`error ${String(message)} ${stack ? stack.split('\n')[0] : ''}`);
    this.fields.push(...params.filter((param): param is object => typeof param === 'object'));
  }
  /** Structured fields passed along with messages (Nest 12 prints them as params). */
  readonly fields: object[] = [];
  warn(message: unknown) { this.lines.push(`warn ${String(message)}`); }
  debug() {}
  verbose() {}
}

export interface RunningApp {
  readonly url: string;
  readonly recorder: Recorder;
  readonly flaky: FlakyHandler;
  readonly logger: CapturingLogger;
  close(): Promise<void>;
}

/** Starts a real Nest app on 127.0.0.1 with the given CrmHooksModule import. */
export async function startApp(
  platform: Platform,
  crmHooks: DynamicModule = CrmHooksModule.forRoot(receiverOptions()),
  options: { rawBody?: boolean; providers?: Provider[] } = {},
): Promise<RunningApp> {
  @Module({
    imports: [crmHooks],
    providers: [Recorder, LinkHandlers, FlakyHandler, ...(options.providers ?? [])],
    controllers: [HighLevelController],
  })
  class AppModule {}

  const logger = new CapturingLogger();
  const appOptions = { rawBody: options.rawBody ?? true, logger };
  const app =
    platform === 'express'
      ? await NestFactory.create(AppModule, appOptions)
      : await NestFactory.create(AppModule, new FastifyAdapter(), appOptions);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    recorder: app.get(Recorder),
    flaky: app.get(FlakyHandler),
    logger,
    close: () => app.close(),
  };
}
