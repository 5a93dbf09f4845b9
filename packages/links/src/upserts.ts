import type { TableNames } from './tables.js';

/*
 * Each row is a set of last-writer-wins registers: a group of columns takes the values of the
 * newest event (by order key, see order.ts) that carries them, and remembers that event's key.
 * Registers, LEAST and GREATEST give the same row whatever order the events come in and however
 * often each comes, and one INSERT ... ON CONFLICT DO UPDATE applies an event atomically.
 *
 * The upserts live in the database as PL/pgSQL functions, created by the migrations: a session
 * then plans each once, where a statement this long sent as text is parsed and planned on every
 * call (a third of its cost, measured on PGlite). A change here needs a new migration version
 * that replaces the functions.
 */

/** `columns` take the event's values when its `key` is newer than the stored one. */
function register(key: string, columns: readonly string[]): string[] {
  const newer = `EXCLUDED.${key} > COALESCE(stored.${key}, '')`;
  return [
    ...columns.map((column) => `${column} = CASE WHEN ${newer} THEN EXCLUDED.${column} ELSE stored.${column} END`),
    `${key} = GREATEST(stored.${key}, EXCLUDED.${key})`,
  ];
}

const TIMES = ['created_at = LEAST(stored.created_at, EXCLUDED.created_at)', 'updated_at = GREATEST(stored.updated_at, EXCLUDED.updated_at)'];

/** Columns of a record link and their types, in the order of the function's parameters. */
export const LINK_COLUMNS = {
  provider: 'text', tenant: 'text', link_id: 'text',
  definition_id: 'text', definition_key: 'text',
  from_type: 'text', from_table: 'integer', from_id: 'text', to_type: 'text', to_table: 'integer', to_id: 'text', ends_key: 'text',
  created_at: 'timestamptz', updated_at: 'timestamptz', deleted_at: 'timestamptz', state_key: 'text',
} as const;

/** Columns of a link definition and their types, in the order of the function's parameters. */
export const DEFINITION_COLUMNS = {
  provider: 'text', tenant: 'text', definition_id: 'text',
  key: 'text', from_type: 'text', from_label: 'text', to_type: 'text', to_label: 'text', details_key: 'text',
  from_to_cardinality: 'text', to_from_cardinality: 'text', cardinality_key: 'text',
  created_at: 'timestamptz', updated_at: 'timestamptz', deleted_at: 'timestamptz', state_key: 'text',
} as const;

const LINK_ASSIGNMENTS = [
  ...register('definition_key', ['definition_id']),
  ...register('ends_key', ['from_type', 'from_table', 'from_id', 'to_type', 'to_table', 'to_id']),
  ...register('state_key', ['deleted_at']),
  ...TIMES,
];

const DEFINITION_ASSIGNMENTS = [
  ...register('details_key', ['key', 'from_type', 'from_label', 'to_type', 'to_label']),
  ...register('cardinality_key', ['from_to_cardinality', 'to_from_cardinality']),
  ...register('state_key', ['deleted_at']),
  ...TIMES,
];

const parameters = (columns: Record<string, string>) => Object.values(columns).map((type, index) => `$${index + 1}::${type}`).join(', ');

function upsertFunction(name: string, table: string, columns: Record<string, string>, key: string, assignments: readonly string[]): string {
  return `CREATE FUNCTION ${name}(${Object.values(columns).join(', ')}) RETURNS SETOF ${table} LANGUAGE plpgsql AS $apply$
    BEGIN
      RETURN QUERY INSERT INTO ${table} AS stored (${Object.keys(columns).join(', ')}) VALUES (${parameters(columns)})
        ON CONFLICT (${key}) DO UPDATE SET ${assignments.join(', ')}
        RETURNING *;
    END $apply$;`;
}

/** The columns of schema version 1, which had no tenant. */
const withoutTenant = (columns: Record<string, string>) => Object.fromEntries(Object.entries(columns).filter(([name]) => name !== 'tenant'));

/**
 * Version 1's writers: every row keyed by provider and id alone. Only its migration creates
 * them; version 2 replaces them (see `upsertFunctions`).
 */
export function upsertFunctionsV1(tables: TableNames): string {
  return [
    upsertFunction(tables.applyLink, tables.links, withoutTenant(LINK_COLUMNS), 'provider, link_id', LINK_ASSIGNMENTS),
    upsertFunction(tables.applyDefinition, tables.definitions, withoutTenant(DEFINITION_COLUMNS), 'provider, definition_id', DEFINITION_ASSIGNMENTS),
  ].join('\n');
}

/**
 * The writers of version 2, rows keyed by provider, tenant and id; beside each, version 1's
 * signature applying the event to the tenant-less row, so receivers of the previous release
 * keep working while a rolling deploy replaces them (rebuild the mirror afterwards to file
 * what they wrote under its tenant).
 */
export function upsertFunctions(tables: TableNames): string {
  // Version 1's signature, passing the empty tenant (the second column) on to version 2's.
  const previous = (name: string, table: string, columns: Record<string, string>) => {
    const old = Object.values(withoutTenant(columns));
    const args = old.map((_type, index) => `$${index + 1}`);
    args.splice(1, 0, "''");
    return `CREATE FUNCTION ${name}(${old.join(', ')}) RETURNS SETOF ${table}
      LANGUAGE sql AS $previous$ SELECT * FROM ${name}(${args.join(', ')}) $previous$;`;
  };
  return [
    upsertFunction(tables.applyLink, tables.links, LINK_COLUMNS, 'provider, tenant, link_id', LINK_ASSIGNMENTS),
    upsertFunction(tables.applyDefinition, tables.definitions, DEFINITION_COLUMNS, 'provider, tenant, definition_id', DEFINITION_ASSIGNMENTS),
    previous(tables.applyLink, tables.links, LINK_COLUMNS),
    previous(tables.applyDefinition, tables.definitions, DEFINITION_COLUMNS),
  ].join('\n');
}

/** The statements that call them, with the event's values as parameters. */
export function upsertCalls(tables: TableNames) {
  return {
    link: `SELECT * FROM ${tables.applyLink}(${parameters(LINK_COLUMNS)})`,
    definition: `SELECT * FROM ${tables.applyDefinition}(${parameters(DEFINITION_COLUMNS)})`,
  };
}
