/** Structured fields of every line crmhooks logs; loggers such as pino keep them as fields. */
export interface LogFields {
  /** The error code (`signature_invalid`, `handler_failed`, ...). */
  readonly code: string;
  /** The status the delivery was answered with, when it was answered. */
  readonly status?: number | undefined;
  readonly provider?: string | undefined;
  /** The (first) event of the delivery, when it was parsed. */
  readonly event?: string | undefined;
  readonly deliveryId?: string | undefined;
  /** The customer the delivery is for (SuperOffice `ContextIdentifier`, HighLevel `locationId`, HubSpot `portalId`), when known. */
  readonly tenant?: string | undefined;
  /** Time from receiving the body to the answer. */
  readonly durationMs?: number | undefined;
  /** The underlying error, e.g. what a handler threw, with its stack. */
  readonly err?: unknown;
}

/**
 * Where crmhooks reports deliveries it rejected (warn) and deliveries that failed (error),
 * each once, with the fix where there is one. The pino calling convention, so a pino or
 * Fastify logger fits as it is: `logger: pino()`. `console` fits too (crmhooks formats
 * the line for it). Nothing logged contains a secret, a signature or a body.
 */
export interface Logger {
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** A logger (`console` fits), or `false` for silence. */
export type LoggerOption = Logger | false;

/** Writes one readable line to the console; messages already name the event and delivery where known. */
function consoleLine(level: 'warn' | 'error'): (fields: LogFields, message: string) => void {
  return (fields, message) => {
    const { code, status, provider, tenant, durationMs, err } = fields;
    const source = [provider, tenant === undefined ? undefined : `tenant ${tenant}`].filter((part) => part !== undefined).join(', ');
    const head = ['crmhooks:', status, code].filter((part) => part !== undefined).join(' ') + (source ? ` (${source})` : '');
    const timing = durationMs === undefined ? '' : ` [${Math.round(durationMs)} ms]`;
    if (err === undefined) console[level](`${head}: ${message}${timing}`);
    else console[level](`${head}: ${message}${timing}\n`, err);
  };
}

/** The default logger: warnings and errors to the console, as @octokit/webhooks does. */
export const consoleLogger: Logger = { warn: consoleLine('warn'), error: consoleLine('error') };

const silentLogger: Logger = { warn: () => undefined, error: () => undefined };

/** Resolves the `logger` option: the console by default, `false` for silence. */
export function toLogger(option: LoggerOption | undefined): Logger {
  if (option === false) return silentLogger;
  if (option === undefined || option === (console as Logger)) return consoleLogger;
  return option;
}
