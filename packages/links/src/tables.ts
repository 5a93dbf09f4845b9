import { tableNamer } from '@crmhooks/postgres';

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

/** Quoted, schema-qualified table names; both parts checked, since they go into SQL text. */
export function tableNames(schema = 'public', prefix = 'crmhooks_'): TableNames {
  const { schema: quoted, name } = tableNamer('createLinkMirror', schema, prefix);
  return {
    schema: quoted,
    links: name('links'),
    definitions: name('link_definitions'),
    migrations: name('migrations'),
    applyLink: name('apply_link'),
    applyDefinition: name('apply_link_definition'),
  };
}
