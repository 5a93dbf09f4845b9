import { TimestampOutsideWindowError } from '../../errors/request-errors.js';
import { ConfigurationError } from '../../errors/usage-errors.js';

/**
 * Default replay window of providers that sign a timestamp in the body: 24 hours, the
 * memory store's retention and longer than any CRM's retry schedule. Within it the
 * idempotency store catches a replay; past it the signed timestamp does.
 */
export const DEFAULT_REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Validates a `replayWindowMs` option: a positive number of ms, or `false` to turn the check off. */
export function replayWindow(value: number | false | undefined, optionName: string): number | undefined {
  if (value === false) return undefined;
  if (value === undefined) return DEFAULT_REPLAY_WINDOW_MS;
  if (!(value > 0)) throw new ConfigurationError(`${optionName} must be a positive number of milliseconds, or false.`);
  return value;
}

/**
 * Refuses a delivery whose signed time is further than `windowMs` from when it arrived, in
 * either direction (a replay of a stored delivery is checked against its original arrival). `sentAt` is ms since the epoch, or NaN when the body carries no readable time
 * (then nothing can be checked and the idempotency store is the only guard).
 */
export function checkSignedTime(check: {
  readonly sentAt: number;
  /** When the delivery arrived (ms since the epoch): now, or the original arrival of a replayed one. */
  readonly receivedAt: number;
  readonly windowMs: number | undefined;
  readonly what: string;
  readonly option: string;
  readonly provider: string;
}): void {
  if (check.windowMs === undefined || Number.isNaN(check.sentAt)) return;
  const age = check.receivedAt - check.sentAt;
  if (Math.abs(age) <= check.windowMs) return;
  const when = age > 0 ? `${formatDuration(age)} old` : `${formatDuration(-age)} in the future`;
  throw new TimestampOutsideWindowError(
    `${check.what} is ${when}, outside the ${formatDuration(check.windowMs)} replay window, so the delivery was refused. ` +
      `Either it is a replay of an old delivery, or this server's clock is off; if genuine deliveries arrive this late, widen ${check.option}.`,
    check.provider,
  );
}

const YEAR_1 = Date.parse('0001-01-01T00:00:00Z');
const YEAR_10000 = Date.parse('+010000-01-01T00:00:00Z');

/**
 * A parsed signed time, or undefined when the bytes carried none (NaN) or one outside years 1
 * to 9999: no CRM signs such a time, and not every Date (nor Postgres) can hold it.
 */
export const known = (time: number): number | undefined => (time >= YEAR_1 && time < YEAR_10000 ? time : undefined);

/** 90061000 -> "25 h", 40000 -> "40 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
