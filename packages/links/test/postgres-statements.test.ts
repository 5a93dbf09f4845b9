import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createLinkMirror, postgres } from '../src/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { linkEvent } from './support/events.js';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const contact = (recordId: string) => ({ objectType: 'contact', recordId });
const company = (recordId: string) => ({ objectType: 'company', recordId });
const created = (linkId: string, seconds: number) =>
  linkEvent({ linkId, action: 'created', time: T0 + seconds * 1000, deliveryId: `d-${linkId}`, from: contact('1'), to: company(linkId), definitionId: 'CONTACT_TO_COMPANY' });

describe.runIf(postgresAvailable())('statements on a Postgres connection', () => {
  let cluster: PostgresServer;
  let client: pg.Client;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => cluster?.stop());
  afterEach(async () => client?.end());

  /** A mirror on one connection, so that what it has prepared can be read back on it. */
  async function mirrorOnOneConnection(tablePrefix: string) {
    client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    return createLinkMirror({ database: postgres(client), tablePrefix });
  }
  const prepared = async () => (await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((row) => row.name);

  test('are prepared once per connection and reused', async () => {
    const mirror = await mirrorOnOneConnection('named_');
    await mirror.apply(created('L1', 1));
    const names = await prepared();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^crmhooks_[0-9a-f]{24}$/);
    await mirror.apply(created('L2', 2));
    await mirror.linksOf({ provider: 'hubspot', recordId: '1' });
    expect(await prepared()).toHaveLength(2); // the upsert once, and the query
    expect((await mirror.linksOf({ provider: 'hubspot', recordId: '1' })).map((link) => link.id).sort()).toEqual(['L1', 'L2']);
  });

  test('behind something that drops them (a pooler in transaction mode), every event is still applied, unnamed from then on', async () => {
    const mirror = await mirrorOnOneConnection('pooled_');
    await mirror.apply(created('L1', 1));
    // What a pooler does by handing the next query to another server connection: the statement is not there.
    await client.query('DEALLOCATE ALL');
    const applied = await mirror.apply(created('L2', 2));
    expect(applied).toMatchObject({ kind: 'link', link: { id: 'L2', to: company('L2') }, stale: false });
    await mirror.apply(created('L3', 3));
    expect(await prepared()).toEqual([]);
    expect((await mirror.linksOf({ provider: 'hubspot', recordId: '1' })).map((link) => link.id).sort()).toEqual(['L1', 'L2', 'L3']);
  });

  test('a newer release adding a column while this process runs: its prepared statements give way, nothing fails', async () => {
    const mirror = await mirrorOnOneConnection('migrated_');
    await mirror.apply(created('L1', 1));
    await mirror.link('hubspot', 'L1');
    await client.query('ALTER TABLE "public"."migrated_links" ADD COLUMN added_later text');
    expect(await mirror.apply(created('L2', 2))).toMatchObject({ kind: 'link', link: { id: 'L2' } });
    expect(await mirror.link('hubspot', 'L1')).toMatchObject({ id: 'L1', to: company('L1') });
  });
});
