/**
 * What the CLI prints for an error nothing caught. Such errors come from code a `--receiver`
 * module runs when imported; the usual one is a server it starts on a port that the running
 * receiver holds: the message says to keep the receiver apart from the server.
 */
export function describeUncaught(error: unknown): string {
  if ((error as { code?: unknown } | null)?.code === 'EADDRINUSE') {
    return (
      `crmhooks: ${(error as Error).message}. The module given to --receiver started a server when it was imported, and its port is taken ` +
      '(by your running receiver, most likely). The CLI needs only the receiver: export createWebhooks(...) from a module that does not listen, ' +
      "import it in the module that starts the server, and pass the first one to --receiver (see @crmhooks/journal's README)."
    );
  }
  return `crmhooks: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
