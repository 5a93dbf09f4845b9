import type { LogFields, Logger } from './logger.js';

/** Lines logged per provider and code in each interval before the rest are only counted. */
const LINES_PER_INTERVAL = 5;
const INTERVAL_MS = 60_000;

/**
 * Logs rejected requests (forged, malformed, refused) so that a flood cannot flood the log:
 * per provider and error code, the first few of each minute are logged one by one, and one
 * line at the end of the minute says how many more there were. Failures of genuine
 * deliveries never go through it: they are always logged.
 */
export class RejectionLog {
  readonly #logger: Logger;
  /** Rejections of the current interval by provider and code, with the fields of the first. */
  readonly #counts = new Map<string, { fields: LogFields; count: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  warn(fields: LogFields, message: string): void {
    const key = `${fields.provider}:${fields.code}`;
    const seen = this.#counts.get(key);
    if (seen === undefined) this.#counts.set(key, { fields, count: 1 });
    else seen.count += 1;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#summarize(), INTERVAL_MS);
      (this.#timer as { unref?: () => void }).unref?.();
    }
    if ((seen?.count ?? 1) <= LINES_PER_INTERVAL) this.#logger.warn(fields, message);
  }

  #summarize(): void {
    this.#timer = undefined;
    for (const { fields, count } of this.#counts.values()) {
      if (count <= LINES_PER_INTERVAL) continue;
      const from = fields.provider ? ` claiming to come from ${fields.provider}` : '';
      this.#logger.warn(
        { code: fields.code, status: fields.status, provider: fields.provider },
        `Another ${count - LINES_PER_INTERVAL} requests${from} were refused with ${fields.code} in the last ${INTERVAL_MS / 1000} s; ` +
          `only the first ${LINES_PER_INTERVAL} were logged one by one (see them for the cause and the fix).`,
      );
    }
    this.#counts.clear();
  }
}
