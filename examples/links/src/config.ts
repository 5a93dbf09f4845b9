/** Settings the examples read from the environment, with development defaults. */
export interface ExampleConfig {
  readonly port: number;
  readonly superOfficeSecret: string;
  /** Keys to trust for HighLevel; undefined means HighLevel's published key (the safe default). */
  readonly highLevelPublicKeys: string[] | undefined;
  /** HubSpot app client secret; HubSpot is not accepted without one in production. */
  readonly hubSpotClientSecret: string | undefined;
  /** With a Redis URL, verified events go to a BullMQ queue and workers run the handlers. */
  readonly redisUrl?: string | undefined;
  /** With a Postgres URL, the link table lives there (shared by every process); else in an embedded PGlite. */
  readonly databaseUrl?: string | undefined;
}

export function config(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const production = env.NODE_ENV === 'production';
  const secret = env.SUPEROFFICE_WEBHOOK_SECRET;
  if (!secret && production) throw new Error('Set SUPEROFFICE_WEBHOOK_SECRET to the secret of your SuperOffice webhook.');
  return {
    port: Number(env.PORT ?? 3000),
    // Only outside production: a known secret is fine for local testing and nothing else.
    superOfficeSecret: secret ?? 'dev-superoffice-secret',
    // e.g. the public.pem of `crmhooks keygen`, to accept your own test deliveries as HighLevel's.
    highLevelPublicKeys: env.HIGHLEVEL_PUBLIC_KEY ? [env.HIGHLEVEL_PUBLIC_KEY] : undefined,
    hubSpotClientSecret: env.HUBSPOT_CLIENT_SECRET ?? (production ? undefined : 'dev-hubspot-secret'),
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
  };
}

/** Printed once an example listens; the demo reads the URL from it. */
export const listeningLine = (app: string, url: string) => `[${app}] listening on ${url}`;
