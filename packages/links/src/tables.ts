import { ConfigurationError } from '@crmhooks/core';

/** Where the mirror keeps its tables. */
export interface TableNames {
  readonly schema: string;
  readonly links: string;
  readonly definitions: string;
  readonly migrations: string;
  /** The functions that apply an event (see upserts.ts). */
  readonly applyLink: string;
  readonly applyDefinition: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Quoted, schema-qualified table names; both parts checked, since they go into SQL text. */
export function tableNames(schema = 'public', prefix = 'crmhooks_'): TableNames {
  if (!IDENTIFIER.test(schema)) throw new ConfigurationError(`createLinkMirror({ schema }) must be a lower-case SQL identifier, got "${schema}".`);
  if (prefix !== '' && !IDENTIFIER.test(prefix)) {
    throw new ConfigurationError(`createLinkMirror({ tablePrefix }) must be lower-case letters, digits and _, got "${prefix}".`);
  }
  const name = (table: string) => `"${schema}"."${prefix}${table}"`;
  return {
    schema: `"${schema}"`,
    links: name('links'),
    definitions: name('link_definitions'),
    migrations: name('migrations'),
    applyLink: name('apply_link'),
    applyDefinition: name('apply_link_definition'),
  };
}
