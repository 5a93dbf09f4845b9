/** Settings the examples read from the environment, with development defaults. */
export interface ExampleConfig {
  readonly port: number;
  readonly superOfficeSecret: string;
  /**
   * A secret per SuperOffice customer, when the app registers a webhook in each customer's
   * tenant: SUPEROFFICE_TENANT_SECRETS as JSON, `{"Cust12345": "its secret"}`. Then each tenant's
   * deliveries verify with its own secret only, and SUPEROFFICE_WEBHOOK_SECRET is not used.
   */
  readonly superOfficeTenantSecrets?: Readonly<Record<string, string>> | undefined;
  /** Keys to trust for HighLevel; undefined means HighLevel's published key (the safe default). */
  readonly highLevelPublicKeys: string[] | undefined;
  /** HubSpot app client secret; HubSpot is not accepted without one in production. */
  readonly hubSpotClientSecret: string | undefined;
  /** Attio webhook secret; Attio is not accepted without one in production. */
  readonly attioSecret?: string | undefined;
  /** The key the Dataverse webhook was registered with (header x-crmhooks-key); Dataverse is not accepted without one in production. */
  readonly dataverseKey?: string | undefined;
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
    superOfficeTenantSecrets: tenantSecrets(env.SUPEROFFICE_TENANT_SECRETS),
    // e.g. the public.pem of `crmhooks keygen`, to accept your own test deliveries as HighLevel's.
    highLevelPublicKeys: env.HIGHLEVEL_PUBLIC_KEY ? [env.HIGHLEVEL_PUBLIC_KEY] : undefined,
    hubSpotClientSecret: env.HUBSPOT_CLIENT_SECRET ?? (production ? undefined : 'dev-hubspot-secret'),
    attioSecret: env.ATTIO_WEBHOOK_SECRET ?? (production ? undefined : 'dev-attio-secret'),
    dataverseKey: env.DATAVERSE_WEBHOOK_KEY ?? (production ? undefined : 'dev-dataverse-key'),
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
  };
}

/** Printed once an example listens; the demo reads the URL from it. */
export const listeningLine = (app: string, url: string) => `[${app}] listening on ${url}`;

function tenantSecrets(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined || json === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const valid = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((value) => typeof value === 'string' && value !== '');
  if (!valid) throw new Error('SUPEROFFICE_TENANT_SECRETS must be a JSON object of tenant to secret, e.g. {"Cust12345": "the secret of its webhook"}.');
  return parsed as Record<string, string>;
}
