/** Exit codes: documented in `crmhooks --help`. */
export const EXIT = { ok: 0, rejected: 1, usage: 2, unreachable: 3 } as const;

/** An error the CLI reports in one line and exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
