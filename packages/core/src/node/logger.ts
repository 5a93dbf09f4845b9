/**
 * Where adapters report what they turned away or what failed. `console` and
 * pino-style loggers both fit: only single-string calls are made.
 */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
}

/** The default: adapters say nothing unless given a logger. */
export const quietLogger: Logger = { error: () => undefined, warn: () => undefined };
